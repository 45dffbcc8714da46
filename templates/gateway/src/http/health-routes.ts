import type { FastifyInstance } from "fastify";
import { UPSTREAM_CHECK_PREFIX } from "../collaborators.js";
import type { HealthRegistry } from "../platform/health.js";

export type ReadinessMode = "strict" | "degraded";

/**
 * The three probes. Live: the process answers, whatever its upstreams do. Ready: every
 * upstream answers its liveness probe; in "degraded" mode a gateway whose only failing checks
 * are upstreams stays ready (status "degraded"), serving the routes that still work.
 */
export function registerHealthRoutes(app: FastifyInstance, health: HealthRegistry, mode: ReadinessMode): void {
  app.get("/health/live", async () => ({ status: "ok" }));

  app.get("/health/startup", async (_request, reply) =>
    health.started ? { status: "started" } : reply.code(503).send({ status: "starting" }),
  );

  app.get("/health/ready", async (_request, reply) => {
    const readiness = await health.readiness();
    const { failing, checks } = readiness;
    const onlyUpstreams = failing.length > 0 && failing.every((name) => name.startsWith(UPSTREAM_CHECK_PREFIX));
    if (!readiness.ready && mode === "degraded" && readiness.status === "not_ready" && onlyUpstreams) {
      return reply.code(200).send({ status: "degraded", failing, checks });
    }
    return reply.code(readiness.ready ? 200 : 503).send({ status: readiness.status, failing, checks });
  });
}
