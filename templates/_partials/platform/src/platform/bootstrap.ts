import type { z } from "zod";
import { loadConfigOrExit } from "./config.js";
import { HealthRegistry } from "./health.js";
import { createLogger, type Logger } from "./logger.js";
import { createShutdown, type Shutdown } from "./shutdown.js";
import { startTracing, type Tracing, type TracingOptions } from "./tracing.js";

interface BaseConfig {
  SERVICE_NAME: string;
  LOG_LEVEL: string;
  SHUTDOWN_GRACE_MS: number;
}

export interface Platform<C> {
  config: C;
  logger: Logger;
  health: HealthRegistry;
  shutdown: Shutdown;
  tracing: Tracing;
}

/**
 * What every kind's main does first: config validated (one line and exit 78
 * when wrong), the JSON logger, crashes logged as a JSON line, and shutdown
 * listening before anything opens, so a SIGTERM during startup still closes
 * what did open; spans set up from the OTEL_* env (await `tracing.ready`
 * before serving), flushed last on shutdown. `spans.exportBatchSize`: spans an export unless
 * OTEL_BSP_MAX_EXPORT_BATCH_SIZE is set (tracing-sdk.ts says why a consumer asks for more).
 */
export function bootstrap<S extends z.ZodType<BaseConfig>>(schema: S, spans: Pick<TracingOptions, "exportBatchSize"> = {}): Platform<z.output<S>> {
  const config = loadConfigOrExit(schema);
  const logger = createLogger({ service: config.SERVICE_NAME, level: config.LOG_LEVEL });
  // A crash must still leave a JSON line for `msx logs`, not only a stack on stderr.
  for (const event of ["uncaughtException", "unhandledRejection"] as const) {
    process.on(event, (err) => {
      logger.fatal({ err }, event);
      process.exit(1);
    });
  }
  const health = new HealthRegistry();
  const shutdown = createShutdown({ health, logger, graceMs: config.SHUTDOWN_GRACE_MS });
  shutdown.listen();
  const tracing = startTracing({ serviceName: config.SERVICE_NAME, logger, ...spans });
  // Registered first, so it closes last: the spans of requests that drain on shutdown are sent too.
  shutdown.register("span exporter", () => tracing.shutdown());
  return { config, logger, health, shutdown, tracing };
}
