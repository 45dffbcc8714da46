import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { CircuitState } from "cockatiel";
import type { TokenVerifier } from "./auth/verify-token.js";
import { registerOverviewRoute } from "./bff/overview-route.js";
import type { Upstream } from "./collaborators.js";
import { GatewayLogController } from "./http/access-log.js";
import { authHook } from "./http/auth-hook.js";
import { registerHealthRoutes, type ReadinessMode } from "./http/health-routes.js";
import { installProblemHandler, sendProblem } from "./http/problem.js";
import { installRateLimits, type RateLimitDefaults } from "./http/rate-limit.js";
import { requestIdOf } from "./http/request-id.js";
import { installTraceHooks } from "./http/trace-hooks.js";
import { registerGrpcRoute } from "./proxy/grpc-routes.js";
import { registerProxyRoute, type BreakerPolicy } from "./proxy/proxy-routes.js";
import type { HealthRegistry } from "./platform/health.js";
import type { Logger } from "./platform/logger.js";
import type { RouteConfig } from "./service-config.js";

export interface GatewayDependencies {
  logger: Logger;
  health: HealthRegistry;
  routes: readonly RouteConfig[];
  upstreams: readonly Upstream[];
  verify: TokenVerifier | undefined;
  rateLimits: RateLimitDefaults;
  breaker: BreakerPolicy;
  defaultTimeoutMs: number;
  readinessMode: ReadinessMode;
  /** The service token for a call to an upstream (the workspace key); none: calls carry no token. */
  tokenFor?: (audience: string) => Promise<string | undefined>;
}

export interface Gateway {
  app: FastifyInstance;
  /** The state of each route's circuit breaker, by route path (for tests and diagnostics). */
  breakers: Map<string, { readonly state: CircuitState }>;
}

/**
 * The gateway without a listening socket: request ids and spans on every request, one problem
 * body for every error, the probes, the composed route, then one proxied prefix per route,
 * each with its auth check, rate limit, timeout and circuit breaker (a gRPC service's route
 * serves its methods as JSON over HTTP instead of proxying). Closing the app closes the
 * gRPC channels.
 */
export async function buildGateway(deps: GatewayDependencies): Promise<Gateway> {
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const logController = new GatewayLogController();
  const app = Fastify({
    loggerInstance,
    logController,
    genReqId: requestIdOf,
    trustProxy: false,
    // A URL fastify cannot route (bad %-escapes): a problem body too, with the request id.
    frameworkErrors: (error, request, reply) => {
      reply.header("x-request-id", request.id);
      sendProblem(reply, error.statusCode ?? 400, error.message);
    },
  });
  installTraceHooks(app, logController);
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    done();
  });
  installProblemHandler(app);
  registerHealthRoutes(app, deps.health, deps.readinessMode);
  const limiter = await installRateLimits(app, deps.rateLimits);
  const defaults = { max: deps.rateLimits.max, windowMs: deps.rateLimits.windowMs };
  const anyProtected = deps.routes.some((route) => !route.public);
  registerOverviewRoute(app, deps.upstreams, [authHook(deps.verify, { public: !anyProtected, scopes: [] })]);
  const breakers = new Map<string, { readonly state: CircuitState }>();
  for (const route of deps.routes) {
    const upstream = deps.upstreams.find((u) => u.name === route.service)!;
    const timeoutMs = route.timeoutMs ?? deps.defaultTimeoutMs;
    const onRequest = [authHook(deps.verify, { public: route.public, scopes: route.scopes })];
    const preHandler = [limiter(route.rateLimit ?? defaults, route.path)];
    if (upstream.protocol === "grpc") {
      const grpcRoute = { path: route.path, service: route.service, timeoutMs, tokenFor: deps.tokenFor, onRequest, preHandler };
      breakers.set(route.path, await registerGrpcRoute(app, grpcRoute, upstream.grpc, deps.breaker, deps.logger));
      continue;
    }
    const breaker = await registerProxyRoute(
      app,
      { path: route.path, service: route.service, baseUrl: upstream.baseUrl, timeoutMs, tokenFor: deps.tokenFor, onRequest, preHandler },
      deps.breaker,
      deps.logger,
    );
    breakers.set(route.path, breaker);
  }
  const channels = deps.upstreams.flatMap((upstream) => (upstream.protocol === "grpc" ? [upstream.grpc.client] : []));
  app.addHook("onClose", (_app, done) => {
    for (const channel of channels) channel.close();
    done();
  });
  return { app, breakers };
}
