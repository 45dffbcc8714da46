import { afterEach, describe, expect, it } from "vitest";
import { answer, startLocalServer, type LocalServer } from "./platform/local-server.js";
import { buildTestGateway } from "./test-gateway.js";

describe("health: live is the process, ready is every upstream", () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of cleanup.splice(0)) await close();
  });

  async function setup(mode: "strict" | "degraded") {
    const up = await startLocalServer((_req, res) => answer(res, 200, { status: "ok" }));
    const down = await startLocalServer(() => undefined);
    await down.close();
    const gateway = await buildTestGateway(
      [
        { path: "/orders", service: "orders", url: up.url, public: true },
        { path: "/stock", service: "stock", url: down.url, public: true },
      ],
      undefined,
      { READINESS_MODE: mode },
    );
    cleanup.push(() => gateway.app.close(), () => up.close());
    return gateway;
  }

  it("strict: not ready while an upstream is down, naming it; still live", async () => {
    const gateway = await setup("strict");
    const ready = await gateway.app.inject({ method: "GET", url: "/health/ready" });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: "not_ready", failing: ["upstream stock"] });
    expect((await gateway.app.inject({ method: "GET", url: "/health/live" })).statusCode).toBe(200);
  });

  it("degraded: ready and serving, the status says degraded", async () => {
    const gateway = await setup("degraded");
    const ready = await gateway.app.inject({ method: "GET", url: "/health/ready" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: "degraded", failing: ["upstream stock"] });
  });
});
