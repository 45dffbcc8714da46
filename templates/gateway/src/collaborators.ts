import { httpLivenessCheck } from "./platform/health.js";
import { grpcHealthCheck, resilientGrpc, type ResilientGrpc } from "./platform/grpc-client.js";
import { createHttpClient, type HttpClient } from "./platform/http-client.js";
import type { HealthRegistry } from "./platform/health.js";
import type { Logger } from "./platform/logger.js";
import { openGrpcUpstream, type GrpcUpstream, type UnreadableApi } from "./proxy/grpc-routes.js";
import { upstreamUrl, type ServiceConfig } from "./service-config.js";

/** A service the gateway routes to: where it answers, and how the gateway calls it. */
export type Upstream = HttpUpstream | GrpcServiceUpstream;

/** An HTTP service: proxied as it comes, and a resilient client for composed (BFF) calls. */
export interface HttpUpstream {
  protocol: "http";
  name: string;
  /** The route prefix it is reached at, e.g. /orders. */
  path: string;
  baseUrl: string;
  client: HttpClient;
}

/** A gRPC service: its methods called with JSON bodies over HTTP (src/proxy/grpc-routes.ts), and a resilient client for composed (BFF) calls. */
export interface GrpcServiceUpstream {
  protocol: "grpc";
  name: string;
  path: string;
  /** host:port */
  target: string;
  grpc: GrpcUpstream;
  calls: ResilientGrpc;
}

/** Readiness checks of upstreams are named so: degraded mode tells them from the gateway's own. */
export const UPSTREAM_CHECK_PREFIX = "upstream ";

/**
 * One Upstream per routed service (the first route to it names its path), each
 * with a readiness check: an HTTP service's liveness endpoint answers, a gRPC service's
 * grpc.health.v1 Check says SERVING. A gRPC route whose API file is missing throws a
 * GrpcApiError (a config error: the gateway does not start). Another file in proto/ that does
 * not read is one warning line, once, naming it: an Any of a type only it defines is not mapped.
 */
export function openUpstreams(
  config: ServiceConfig,
  logger: Logger,
  health: HealthRegistry,
  tokenFor?: (audience: string) => Promise<string | undefined>,
  protoDir?: URL,
): Upstream[] {
  const upstreams = new Map<string, Upstream>();
  const warned = new Set<string>();
  const unreadable: UnreadableApi = (file, problem) => {
    if (warned.has(file)) return;
    warned.add(file);
    logger.warn({ file: `proto/${file}` }, `proto/${file} cannot be read, so an Any of a type only it defines is not mapped (a 502 in an answer, a 400 in a body): ${problem}`);
  };
  for (const route of config.GATEWAY_ROUTES) {
    if (upstreams.has(route.service)) continue;
    const address = upstreamUrl(config, route);
    const timeoutMs = route.timeoutMs ?? config.UPSTREAM_TIMEOUT;
    const check = `${UPSTREAM_CHECK_PREFIX}${route.service}`;
    if (route.protocol === "grpc") {
      // One channel per service; each route to it has its own timeout and breaker (src/app.ts).
      const grpc = openGrpcUpstream(route.service, address, protoDir, unreadable);
      // The composed calls' own breaker and deadline, as an HTTP upstream's client below.
      const calls = resilientGrpc({
        name: route.service,
        logger,
        timeoutMs,
        maxRetries: 0,
        breakerThreshold: config.BREAKER_THRESHOLD,
        halfOpenAfterMs: config.BREAKER_HALF_OPEN_AFTER,
        tokenFor,
      });
      upstreams.set(route.service, { protocol: "grpc", name: route.service, path: route.path, target: address, grpc, calls });
      health.addReadinessCheck(check, grpcHealthCheck(grpc.client, route.service), { timeoutMs: 1000 });
      continue;
    }
    const client = createHttpClient({
      baseUrl: address,
      name: route.service,
      logger,
      timeoutMs,
      breakerThreshold: config.BREAKER_THRESHOLD,
      halfOpenAfterMs: config.BREAKER_HALF_OPEN_AFTER,
      // A composed answer would rather be partial than late.
      maxRetries: 0,
      tokenFor,
    });
    upstreams.set(route.service, { protocol: "http", name: route.service, path: route.path, baseUrl: address, client });
    health.addReadinessCheck(check, httpLivenessCheck(address), { timeoutMs: 1000 });
  }
  return [...upstreams.values()];
}
