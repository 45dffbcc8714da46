import type { FastifyReply, FastifyRequest } from "fastify";
import { durationMs, TracedLogController } from "./trace-hooks.js";

declare module "fastify" {
  /** What the access log line says about a route: the gateway route and the upstream behind it. */
  interface FastifyContextConfig {
    gatewayRoute?: string;
    upstream?: string;
  }
}

/**
 * The access log: one line per request when it completes, with the gateway route, the upstream
 * it went to, the status and the duration (in the request's span, so `msx logs --trace-id`
 * shows the gateway hop); and the end of the request's server span, named by the gateway route.
 */
export class GatewayLogController extends TracedLogController {
  // The gateway route (/orders), not fastify's pattern (/orders/*): one name per route in `msx traces`.
  protected override spanRoute(request: FastifyRequest): string | undefined {
    return request.routeOptions.config.gatewayRoute ?? request.routeOptions.url;
  }

  protected override completedFields(request: FastifyRequest, reply: FastifyReply): Record<string, unknown> {
    const { gatewayRoute, upstream } = request.routeOptions.config;
    return {
      method: request.method,
      url: request.url,
      route: gatewayRoute ?? null,
      upstream: upstream ?? null,
      status: reply.statusCode,
      duration_ms: durationMs(reply),
    };
  }
}
