import { describe, expect, it, vi } from "vitest";
import { HealthRegistry } from "../../src/platform/health.js";
import { createLogger } from "../../src/platform/logger.js";
import { createShutdown } from "../../src/platform/shutdown.js";

function setup(graceMs = 5000) {
  const health = new HealthRegistry();
  health.markStarted();
  const exit = vi.fn<(code: number) => void>();
  const logger = createLogger({ service: "test", level: "silent" });
  return { health, exit, shutdown: createShutdown({ health, logger, graceMs, exit }) };
}

describe("createShutdown", () => {
  it("fails readiness first, closes in reverse order of registration, then exits 0", async () => {
    const { health, exit, shutdown } = setup();
    const events: string[] = [];
    const closer = (name: string) => () => void events.push(`${name} (shutting down: ${health.shuttingDown})`);
    shutdown.register("database pool", closer("database pool"));
    shutdown.register("http server", closer("http server"));

    await shutdown.shutdown("SIGTERM");

    expect(events).toEqual(["http server (shutting down: true)", "database pool (shutting down: true)"]);
    expect(exit).toHaveBeenCalledExactlyOnceWith(0);
  });

  it("still closes the rest when one closer fails, and exits 1", async () => {
    const { exit, shutdown } = setup();
    const closed: string[] = [];
    shutdown.register("pool", () => void closed.push("pool"));
    shutdown.register("broken", () => Promise.reject(new Error("boom")));
    await shutdown.shutdown("SIGTERM");
    expect(closed).toEqual(["pool"]);
    expect(exit).toHaveBeenCalledExactlyOnceWith(1);
  });

  it("forces exit 1 on a second signal", async () => {
    const { exit, shutdown } = setup();
    let release!: () => void;
    shutdown.register("slow", () => new Promise<void>((resolve) => (release = resolve)));
    const first = shutdown.shutdown("SIGTERM");
    void shutdown.shutdown("SIGINT");
    expect(exit).toHaveBeenCalledExactlyOnceWith(1);
    release();
    await first;
  });

  it("forces exit 1 when closing outlasts the grace period", async () => {
    const { exit, shutdown } = setup(10);
    shutdown.register("stuck", () => new Promise<void>(() => undefined));
    void shutdown.shutdown("SIGTERM");
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(1));
  });
});
