import { buildApp } from "./app.js";
import { openInfrastructure } from "./infrastructure.js";
import { loadConfigOrExit } from "./platform/config.js";
import { HealthRegistry } from "./platform/health.js";
import { createLogger } from "./platform/logger.js";
import { createShutdown } from "./platform/shutdown.js";
import { configSchema } from "./service-config.js";

const config = loadConfigOrExit(configSchema);
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
// Listening before anything opens, so a SIGTERM during startup still closes what did open.
shutdown.listen();

try {
  const infrastructure = await openInfrastructure({ config, logger, health, shutdown });
  const app = buildApp({ serviceName: config.SERVICE_NAME, logger, health, ...infrastructure });
  // Registered last, so it closes first: in-flight requests finish while their resources are open.
  shutdown.register("http server", () => app.close());
  await app.listen({ host: "0.0.0.0", port: config.PORT });
  health.markStarted();
  logger.info({ port: config.PORT }, "service started");
} catch (err) {
  logger.fatal({ err }, "startup failed");
  process.exit(1);
}
