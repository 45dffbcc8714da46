import { describe, expect, it } from "vitest";
import { z } from "zod";
import { baseConfigShape, ConfigError, loadConfig, urlVar } from "../../src/platform/config.js";

const schema = z.object({
  ...baseConfigShape({ port: 3000, serviceName: "orders" }),
  STOCK_URL: urlVar(),
  DATABASE_URL: urlVar(["postgres:", "postgresql:"]),
});
const valid = { STOCK_URL: "http://127.0.0.1:3001", DATABASE_URL: "postgres://postgres@127.0.0.1:5432/orders" };

function problemWith(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(schema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error("expected a config error");
}

describe("loadConfig", () => {
  it("fills the base defaults and keeps the declared variables", () => {
    const config = loadConfig(schema, { ...valid, PORT: "", UNRELATED: "x" });
    expect(config).toEqual({ PORT: 3000, HOST: "0.0.0.0", SERVICE_NAME: "orders", LOG_LEVEL: "info", SHUTDOWN_GRACE_MS: 10000, ...valid });
  });

  it("converts numbers", () => {
    expect(loadConfig(schema, { ...valid, PORT: "8080", SHUTDOWN_GRACE_MS: "250" })).toMatchObject({
      PORT: 8080,
      SHUTDOWN_GRACE_MS: 250,
    });
  });

  it.each([
    [{ PORT: "abc" }, 'config error: PORT must be an integer between 1 and 65535 (got "abc")'],
    [{ PORT: "70000" }, 'config error: PORT must be an integer between 1 and 65535 (got "70000")'],
    [{ PORT: "1.5" }, 'config error: PORT must be an integer between 1 and 65535 (got "1.5")'],
    [{ LOG_LEVEL: "loud" }, 'config error: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")'],
    [{ STOCK_URL: "stock:3001" }, 'config error: STOCK_URL must be a http:// or https:// URL (got "stock:3001")'],
  ])("names the variable and the bad value: %j", (override, message) => {
    expect(problemWith({ ...valid, ...override })).toBe(message);
  });

  it("says which required variable is not set", () => {
    expect(problemWith({ DATABASE_URL: valid.DATABASE_URL })).toBe("config error: STOCK_URL is required but not set");
  });

  it("reports every bad variable on one line and never echoes credentials", () => {
    const message = problemWith({ PORT: "0", DATABASE_URL: "mysql://user:secret@db/orders" });
    expect(message.split("\n")).toHaveLength(1);
    expect(message).toContain("PORT must be");
    expect(message).toContain("STOCK_URL is required but not set");
    expect(message).toContain("DATABASE_URL must be a postgres:// or postgresql:// URL (value hidden)");
    expect(message).not.toContain("secret");
  });
});
