import { Redis } from "ioredis";
import type { HealthRegistry } from "../platform/health.js";
import type { Logger } from "../platform/logger.js";
import type { Shutdown } from "../platform/shutdown.js";

/**
 * The Redis the rate limits are counted in, shared by every gateway process. A command fails
 * fast while it is down (no offline queue): the limiter then lets requests through, and
 * readiness names Redis.
 */
export function openRedis(url: string, logger: Logger, health: HealthRegistry, shutdown: Shutdown): Redis {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: false });
  let lastError: string | undefined;
  redis.on("error", (error: Error) => {
    if (error.message !== lastError) logger.warn({ reason: error.message }, "redis unavailable");
    lastError = error.message;
  });
  redis.on("ready", () => (lastError = undefined));
  health.addReadinessCheck("redis", async () => {
    if ((await redis.ping()) !== "PONG") throw new Error("redis did not answer PING");
  });
  shutdown.register("redis", async () => {
    await redis.quit();
  });
  return redis;
}
