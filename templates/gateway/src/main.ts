import { buildGateway } from "./app.js";
import { createTokenVerifier } from "./auth/verify-token.js";
import { openUpstreams } from "./collaborators.js";
import { openRedis } from "./infra/redis.js";
import { bootstrap } from "./platform/bootstrap.js";
import { CONFIG_EXIT_CODE, ConfigError } from "./platform/config.js";
import { createServiceTokens } from "./platform/service-auth.js";
import { configSchema } from "./service-config.js";

const { config, logger, health, shutdown, tracing } = bootstrap(configSchema);

try {
  const { tokenFor } = await createServiceTokens(config, logger);
  const upstreams = openUpstreams(config, logger, health, tokenFor);
  const redis = config.REDIS_URL ? openRedis(config.REDIS_URL, logger, health, shutdown) : undefined;
  const { app } = await buildGateway({
    logger,
    health,
    routes: config.GATEWAY_ROUTES,
    upstreams,
    tokenFor,
    verify: createTokenVerifier({
      jwksUrl: config.AUTH_JWKS_URL,
      publicKeyPem: config.AUTH_PUBLIC_KEY,
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      clockToleranceMs: config.AUTH_CLOCK_TOLERANCE,
    }),
    rateLimits: { max: config.RATE_LIMIT_MAX, windowMs: config.RATE_LIMIT_WINDOW, redis, keyPrefix: config.RATE_LIMIT_PREFIX },
    breaker: { threshold: config.BREAKER_THRESHOLD, halfOpenAfterMs: config.BREAKER_HALF_OPEN_AFTER },
    defaultTimeoutMs: config.UPSTREAM_TIMEOUT,
    readinessMode: config.READINESS_MODE,
  });
  // Registered last, so it closes first: in-flight requests finish while their resources are open.
  shutdown.register("http server", () => app.close());
  await app.listen({ host: config.HOST, port: config.PORT });
  // Spans are recorded from the first request on (the SDK loads meanwhile, when spans are exported).
  await tracing.ready;
  health.markStarted();
  logger.info({ port: config.PORT, routes: config.GATEWAY_ROUTES.map((r) => `${r.path} -> ${r.service}`), rate_limits: redis ? "redis" : "memory" }, "gateway started");
} catch (err) {
  // A gRPC route whose API file is missing: one line, as for a bad variable.
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(CONFIG_EXIT_CODE);
  }
  logger.fatal({ err }, "startup failed");
  process.exit(1);
}
