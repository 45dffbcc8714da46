import { openCollaborators } from "./collaborators.js";
import { handlers } from "./handlers/index.js";
import { close, createHealthServer, listen } from "./http/health-server.js";
import { startConsumer } from "./messaging/consumer.js";
import { withTestKnobs } from "./messaging/test-knobs.js";
import { bootstrap } from "./platform/bootstrap.js";
import { configSchema } from "./service-config.js";

// Nobody waits on a consumer for an answer: its spans go in the SDK's bigger batches (tracing-sdk.ts).
const { config, logger, health, shutdown, tracing } = bootstrap(configSchema, { exportBatchSize: 512 });

try {
  // Registered first, so it closes last: probes see 503 while the consumer drains.
  const server = createHealthServer(health);
  shutdown.register("health server", () => close(server));
  await listen(server, config.PORT, config.HOST);
  await openCollaborators({ config, logger, health, shutdown });
  const consumer = await startConsumer({
    url: config.AMQP_URL,
    exchange: config.AMQP_EXCHANGE,
    serviceName: config.SERVICE_NAME,
    queuePrefix: config.AMQP_QUEUE_PREFIX,
    handlers: withTestKnobs(handlers, { delayMs: config.TEST_HANDLER_DELAY_MS, fail: config.TEST_HANDLER_FAIL === "1" }, logger),
    policy: { maxAttempts: config.MAX_ATTEMPTS, delayMs: config.RETRY_DELAY_MS, maxDelayMs: config.RETRY_MAX_DELAY_MS },
    prefetch: config.PREFETCH,
    logger,
  });
  shutdown.register("event consumer", () => consumer.close());
  // Ready once connected, every queue declared and consumed; 503 while the broker is away.
  health.addReadinessCheck("message broker", consumer.readiness);
  // Spans are recorded from the first request on (the SDK loads meanwhile, when spans are exported).
  await tracing.ready;
  health.markStarted();
  logger.info({ port: config.PORT }, "service started");
} catch (err) {
  logger.fatal({ err }, "startup failed");
  process.exit(1);
}
