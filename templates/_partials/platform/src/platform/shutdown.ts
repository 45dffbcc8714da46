import type { HealthRegistry } from "./health.js";
import type { Logger } from "./logger.js";

export interface ShutdownOptions {
  health: HealthRegistry;
  logger: Logger;
  /** After this long the process exits 1 even if something still has not closed. */
  graceMs: number;
  /** process.exit by default; tests pass a spy. */
  exit?: (code: number) => void;
}

export interface Shutdown {
  /**
   * Adds something to close on shutdown. Closers run in reverse order of
   * registration: register the server last, so it drains before the pools
   * its in-flight requests still use.
   */
  register(name: string, close: () => Promise<void> | void): void;
  /** Starts shutting down; a second call while one runs forces exit 1. */
  shutdown(reason: string): Promise<void>;
  /** Shuts down on these signals. */
  listen(signals?: readonly NodeJS.Signals[]): void;
}

interface Closer {
  name: string;
  close: () => Promise<void> | void;
}

export function createShutdown(options: ShutdownOptions): Shutdown {
  const { health, logger, graceMs } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const closers: Closer[] = [];
  let running: Promise<void> | undefined;

  const drain = async (reason: string): Promise<void> => {
    logger.info({ reason, grace_ms: graceMs }, "shutting down");
    health.markShuttingDown();
    const force = setTimeout(() => {
      logger.error({ grace_ms: graceMs }, "shutdown grace period over, forcing exit");
      exit(1);
    }, graceMs);
    const failures = await closeAll([...closers].reverse(), logger);
    clearTimeout(force);
    logger.info({ failures }, "shutdown complete");
    exit(failures === 0 ? 0 : 1);
  };

  const shutdown = (reason: string): Promise<void> => {
    if (running) {
      logger.warn({ reason }, "second shutdown request, forcing exit");
      exit(1);
      return running;
    }
    running = drain(reason);
    return running;
  };

  return {
    register: (name, close) => void closers.push({ name, close }),
    shutdown,
    listen: (signals = ["SIGTERM", "SIGINT"]) => {
      for (const signal of signals) process.on(signal, () => void shutdown(signal));
    },
  };
}

async function closeAll(closers: readonly Closer[], logger: Logger): Promise<number> {
  let failures = 0;
  for (const closer of closers) {
    try {
      await closer.close();
      logger.info({ resource: closer.name }, "closed");
    } catch (err) {
      failures += 1;
      logger.error({ resource: closer.name, err }, "close failed");
    }
  }
  return failures;
}
