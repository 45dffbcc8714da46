import { httpLivenessCheck } from "./platform/health.js";
import { createHttpClient, type HttpClient } from "./platform/http-client.js";
import type { HealthRegistry } from "./platform/health.js";
import type { Logger } from "./platform/logger.js";
import { upstreamUrl, type ServiceConfig } from "./service-config.js";

/** A service the gateway routes to: where it answers, and a resilient client for composed (BFF) calls. */
export interface Upstream {
  name: string;
  /** The route prefix it is reached at, e.g. /orders. */
  path: string;
  baseUrl: string;
  client: HttpClient;
}

/** Readiness checks of upstreams are named so: degraded mode tells them from the gateway's own. */
export const UPSTREAM_CHECK_PREFIX = "upstream ";

/**
 * One Upstream per routed service (the first route to it names its path), each with a
 * readiness check: its liveness endpoint answers.
 */
export function openUpstreams(
  config: ServiceConfig,
  logger: Logger,
  health: HealthRegistry,
  tokenFor?: (audience: string) => Promise<string | undefined>,
): Upstream[] {
  const upstreams = new Map<string, Upstream>();
  for (const route of config.GATEWAY_ROUTES) {
    if (upstreams.has(route.service)) continue;
    const baseUrl = upstreamUrl(config, route);
    const client = createHttpClient({
      baseUrl,
      name: route.service,
      logger,
      timeoutMs: route.timeoutMs ?? config.UPSTREAM_TIMEOUT,
      breakerThreshold: config.BREAKER_THRESHOLD,
      halfOpenAfterMs: config.BREAKER_HALF_OPEN_AFTER,
      // A composed answer would rather be partial than late.
      maxRetries: 0,
      tokenFor,
    });
    upstreams.set(route.service, { name: route.service, path: route.path, baseUrl, client });
    health.addReadinessCheck(`${UPSTREAM_CHECK_PREFIX}${route.service}`, httpLivenessCheck(baseUrl), { timeoutMs: 1000 });
  }
  return [...upstreams.values()];
}
