import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const serviceRoot = fileURLToPath(new URL("..", import.meta.url));

describe("main", () => {
  it("stops with one line naming the bad variable, exit code 78, no stack trace", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: serviceRoot,
      env: { PATH: process.env.PATH, PORT: "abc" },
      encoding: "utf8",
    });
    expect(result.status).toBe(78);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^config error: PORT must be an integer between 1 and 65535 \(got "abc"\)/);
    expect(result.stdout).toBe("");
  }, 30_000); // a cold `node --import tsx` start compiles every module it loads: seconds on a loaded machine
});
