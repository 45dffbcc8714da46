import { afterEach, describe, expect, it } from "vitest";
import { HealthRegistry, httpLivenessCheck } from "../src/platform/health.js";
import { answer, startLocalServer, type LocalServer } from "./platform/local-server.js";
import { buildTestApp } from "./test-app.js";

let dependency: LocalServer | undefined;
afterEach(async () => dependency?.close());

describe("health routes", () => {
  it("is live at once, and reports startup only once marked", async () => {
    const health = new HealthRegistry();
    const { app } = buildTestApp({ health });
    expect((await app.inject({ url: "/health/live" })).statusCode).toBe(200);
    expect((await app.inject({ url: "/health/startup" })).statusCode).toBe(503);
    expect((await app.inject({ url: "/health/ready" })).json()).toMatchObject({ status: "starting" });
    health.markStarted();
    expect((await app.inject({ url: "/health/startup" })).statusCode).toBe(200);
  });

  it("is ready while the dependency is up, 503 naming it once it is down", async () => {
    dependency = await startLocalServer((_req, res) => answer(res, 200, { status: "ok" }));
    const health = new HealthRegistry();
    health.addReadinessCheck("stock", httpLivenessCheck(dependency.url), { timeoutMs: 1000 });
    health.markStarted();
    const { app } = buildTestApp({ health });

    const up = await app.inject({ url: "/health/ready" });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toEqual({ status: "ready", failing: [], checks: [{ name: "stock", ok: true }] });

    await dependency.close();
    dependency = undefined;
    const down = await app.inject({ url: "/health/ready" });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ status: "not_ready", failing: ["stock"] });
    expect(down.json().checks[0].error).toContain("ECONNREFUSED");
  });

  it("turns 503 as soon as shutdown begins", async () => {
    const { app, health } = buildTestApp();
    expect((await app.inject({ url: "/health/ready" })).statusCode).toBe(200);
    health.markShuttingDown();
    const response = await app.inject({ url: "/health/ready" });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: "shutting_down" });
  });
});
