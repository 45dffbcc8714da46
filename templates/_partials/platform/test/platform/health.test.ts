import { afterEach, describe, expect, it } from "vitest";
import { HealthRegistry, httpLivenessCheck } from "../../src/platform/health.js";
import { answer, startLocalServer, type LocalServer } from "./local-server.js";

let server: LocalServer | undefined;
afterEach(async () => server?.close());

function startedRegistry(): HealthRegistry {
  const health = new HealthRegistry();
  health.markStarted();
  return health;
}

describe("HealthRegistry", () => {
  it("is not ready before startup finishes", async () => {
    const health = new HealthRegistry();
    expect(await health.readiness()).toMatchObject({ ready: false, status: "starting" });
    health.markStarted();
    expect(await health.readiness()).toMatchObject({ ready: true, status: "ready", failing: [] });
  });

  it("names the failing check and why", async () => {
    const health = startedRegistry();
    health.addReadinessCheck("cache", async () => undefined);
    health.addReadinessCheck("database", async () => {
      throw new Error("connection refused");
    });
    expect(await health.readiness()).toEqual({
      ready: false,
      status: "not_ready",
      failing: ["database"],
      checks: [
        { name: "cache", ok: true },
        { name: "database", ok: false, error: "connection refused" },
      ],
    });
  });

  it("fails a check that does not answer within its timeout", async () => {
    const health = startedRegistry();
    health.addReadinessCheck("stuck", () => new Promise(() => undefined), { timeoutMs: 20 });
    const readiness = await health.readiness();
    expect(readiness.failing).toEqual(["stuck"]);
    expect(readiness.checks[0].error).toBe("timed out after 20 ms");
  });

  it("is not ready once shutting down, even with every check passing", async () => {
    const health = startedRegistry();
    health.addReadinessCheck("cache", async () => undefined);
    health.markShuttingDown();
    expect(await health.readiness()).toMatchObject({ ready: false, status: "shutting_down" });
  });
});

describe("httpLivenessCheck", () => {
  it("passes when the dependency's /health/live answers 2xx", async () => {
    server = await startLocalServer((_req, res) => answer(res, 200));
    await expect(httpLivenessCheck(`${server.url}/`)(AbortSignal.timeout(1000))).resolves.toBeUndefined();
    expect(server.requests[0]).toMatchObject({ method: "GET", url: "/health/live" });
  });

  it("fails with the status the dependency answered", async () => {
    server = await startLocalServer((_req, res) => answer(res, 500));
    await expect(httpLivenessCheck(server.url)(AbortSignal.timeout(1000))).rejects.toThrow(/answered 500/);
  });

  it("fails when nothing listens", async () => {
    const gone = await startLocalServer((_req, res) => answer(res, 200));
    await gone.close();
    const health = startedRegistry();
    health.addReadinessCheck("stock", httpLivenessCheck(gone.url));
    const readiness = await health.readiness();
    expect(readiness.failing).toEqual(["stock"]);
    expect(readiness.checks[0].error).toContain("ECONNREFUSED");
  });
});
