import { buildApp } from "./app.js";
import { openInfrastructure } from "./infrastructure.js";
import { bootstrap } from "./platform/bootstrap.js";
import { createServiceAuth } from "./platform/service-auth.js";
import { configSchema } from "./service-config.js";

const { config, logger, health, shutdown, tracing } = bootstrap(configSchema);

try {
  const infrastructure = await openInfrastructure({ config, logger, health, shutdown });
  const serviceAuth = await createServiceAuth(config, logger);
  const app = buildApp({ serviceName: config.SERVICE_NAME, logger, health, serviceAuth, ...infrastructure });
  // Registered last, so it closes first: in-flight requests finish while their resources are open.
  shutdown.register("http server", () => app.close());
  await app.listen({ host: config.HOST, port: config.PORT });
  // Spans are recorded from the first request on (the SDK loads meanwhile, when spans are exported).
  await tracing.ready;
  health.markStarted();
  logger.info({ port: config.PORT }, "service started");
} catch (err) {
  logger.fatal({ err }, "startup failed");
  process.exit(1);
}
