import type { AddressInfo } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { createShutdown } from "../src/platform/shutdown.js";
import { buildTestApp } from "./test-app.js";

describe("graceful shutdown of the HTTP server", () => {
  it("lets an in-flight request finish, then closes the rest and exits 0", async () => {
    const { app, logger, health } = buildTestApp();
    let entered!: () => void;
    const requestStarted = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    app.get("/slow", async () => {
      entered();
      await gate;
      return { finished: true };
    });
    const exit = vi.fn<(code: number) => void>();
    const shutdown = createShutdown({ health, logger, graceMs: 10_000, exit });
    const closed: string[] = [];
    shutdown.register("database pool", () => void closed.push("database pool"));
    shutdown.register("http server", async () => {
      await app.close();
      closed.push("http server");
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = app.server.address() as AddressInfo;

    const inFlight = fetch(`http://127.0.0.1:${port}/slow`);
    await requestStarted;
    const stopping = shutdown.shutdown("SIGTERM");

    expect(health.shuttingDown).toBe(true);
    expect((await health.readiness()).status).toBe("shutting_down");
    expect(closed).toEqual([]);
    release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ finished: true });
    await stopping;
    expect(closed).toEqual(["http server", "database pool"]);
    expect(exit).toHaveBeenCalledExactlyOnceWith(0);
  });
});
