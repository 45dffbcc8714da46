import { afterEach, describe, expect, it } from "vitest";
import { close, createHealthServer, listen } from "../src/http/health-server.js";
import { HealthRegistry } from "../src/platform/health.js";

let stop: (() => Promise<void>) | undefined;
afterEach(async () => stop?.());

async function serve(health: HealthRegistry) {
  const server = createHealthServer(health);
  const port = await listen(server, 0, "127.0.0.1");
  stop = () => close(server);
  return (path: string) => fetch(`http://127.0.0.1:${port}${path}`);
}

describe("health server", () => {
  it("is live at once, started and ready once marked, and 503 naming a failing check", async () => {
    const health = new HealthRegistry();
    const get = await serve(health);
    expect((await get("/health/live")).status).toBe(200);
    expect((await get("/health/startup")).status).toBe(503);
    expect(await (await get("/health/ready")).json()).toMatchObject({ status: "starting" });
    health.markStarted();
    expect((await get("/health/startup")).status).toBe(200);
    expect((await get("/health/ready")).status).toBe(200);
    health.addReadinessCheck("message broker", async () => Promise.reject(new Error("not connected")));
    const down = await get("/health/ready");
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: "not_ready", failing: ["message broker"] });
    expect((await get("/nope")).status).toBe(404);
  });
});
