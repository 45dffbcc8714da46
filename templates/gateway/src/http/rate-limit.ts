import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import type { Redis } from "ioredis";
import { ProblemError } from "./problem.js";

export interface RateLimitDefaults {
  max: number;
  windowMs: number;
  /** Shared counters for every gateway process; in memory (this process only) when absent. */
  redis?: Redis;
  /** Prefix of every Redis key the limiter writes. */
  keyPrefix: string;
}

export type RouteLimiter = (limit: { max: number; windowMs: number }, routeKey: string) => preHandlerAsyncHookHandler;

/** Per client: the token's subject when there is one, else the address it connects from. */
export const clientKey = (request: FastifyRequest) => (request.caller ? `sub:${request.caller.subject}` : `ip:${request.ip}`);

/**
 * Registers @fastify/rate-limit (nothing limited by itself) and returns a maker of one
 * limiter per route: counted per route and client, answered with RateLimit-* headers and,
 * once over, 429 with Retry-After and a problem body. A limiter runs as a preHandler, so the
 * token has been checked and the client is its subject.
 */
export async function installRateLimits(app: FastifyInstance, defaults: RateLimitDefaults): Promise<RouteLimiter> {
  await app.register(rateLimit, {
    global: false,
    hook: "preHandler",
    enableDraftSpec: true,
    redis: defaults.redis,
    nameSpace: defaults.keyPrefix,
    // Redis down: serve rather than fail every request; readiness reports it.
    skipOnError: true,
  });
  return (limit, routeKey) =>
    app.rateLimit({
      max: limit.max,
      timeWindow: limit.windowMs,
      keyGenerator: (request) => `${routeKey}|${clientKey(request)}`,
      // Per route, so it can name the route's window (the plugin's context has only the time left).
      errorResponseBuilder: (_request, context) =>
        new ProblemError(429, `rate limit of ${context.max} requests per ${windowText(limit.windowMs)} reached; retry after ${Math.max(1, Math.ceil(context.ttl / 1000))} s`, { limit: context.max }),
    });
}

/** 60000 → "1 minute", 10000 → "10 seconds", 1500 → "1500 ms". */
export function windowText(ms: number): string {
  const units: Array<[number, string]> = [[3_600_000, "hour"], [60_000, "minute"], [1000, "second"]];
  for (const [size, unit] of units) {
    if (ms % size === 0) return ms === size ? `1 ${unit}` : `${ms / size} ${unit}s`;
  }
  return `${ms} ms`;
}
