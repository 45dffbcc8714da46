import { openCollaborators } from "./collaborators.js";
import { handlers } from "./handlers/index.js";
import { close, createHealthServer, listen } from "./http/health-server.js";
import { startConsumer } from "./messaging/consumer.js";
import { withTestKnobs } from "./messaging/test-knobs.js";
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
  // Registered first, so it closes last: probes see 503 while the consumer drains.
  const server = createHealthServer(health);
  shutdown.register("health server", () => close(server));
  await listen(server, config.PORT);
  await openCollaborators({ config, logger, health, shutdown });
  const consumer = await startConsumer({
    url: config.AMQP_URL,
    exchange: config.AMQP_EXCHANGE,
    serviceName: config.SERVICE_NAME,
    handlers: withTestKnobs(handlers, { delayMs: config.TEST_HANDLER_DELAY_MS, fail: config.TEST_HANDLER_FAIL === "1" }, logger),
    policy: { maxAttempts: config.MAX_ATTEMPTS, delayMs: config.RETRY_DELAY_MS, maxDelayMs: config.RETRY_MAX_DELAY_MS },
    prefetch: config.PREFETCH,
    logger,
  });
  shutdown.register("event consumer", () => consumer.close());
  // Ready once connected, every queue declared and consumed; 503 while the broker is away.
  health.addReadinessCheck("message broker", consumer.readiness);
  health.markStarted();
  logger.info({ port: config.PORT }, "service started");
} catch (err) {
  logger.fatal({ err }, "startup failed");
  process.exit(1);
}
