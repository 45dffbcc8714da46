import type { FastifyInstance } from "fastify";
import type { HealthRegistry } from "../platform/health.js";

/** The three probes Kubernetes (and `msx up`) poll. */
export function registerHealthRoutes(app: FastifyInstance, health: HealthRegistry): void {
  // Live means the event loop answers; dependencies being down must not get this pod restarted.
  app.get("/health/live", async () => ({ status: "ok" }));

  app.get("/health/startup", async (_request, reply) =>
    health.started ? { status: "started" } : reply.code(503).send({ status: "starting" }),
  );

  app.get("/health/ready", async (_request, reply) => {
    const readiness = await health.readiness();
    const { status, failing, checks } = readiness;
    return reply.code(readiness.ready ? 200 : 503).send({ status, failing, checks });
  });
}
