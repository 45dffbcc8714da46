import { setTimeout as sleep } from "node:timers/promises";
import * as grpc from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";
import type { HealthRegistry } from "../platform/health.js";
import type { Logger } from "../platform/logger.js";
import type { ServiceAuth } from "../platform/service-auth.js";
import { packageDefinition, SERVICE, serviceDefinition } from "./api.js";
import { buildHandlers, type HandlerDependencies } from "./handlers.js";
import { createHealthService, healthServiceDefinition, type HealthService } from "./health-service.js";
import { guardWithServiceToken } from "./service-auth-guard.js";

export interface GrpcApp {
  server: grpc.Server;
  healthService: HealthService;
}

/** The gRPC server without a bound port: the API (service token required), grpc.health.v1.Health and server reflection (open). */
export function buildServer(deps: HandlerDependencies & { health: HealthRegistry; serviceAuth: ServiceAuth }): GrpcApp {
  const server = new grpc.Server();
  server.addService(serviceDefinition, guardWithServiceToken(serviceDefinition, buildHandlers(deps), deps.serviceAuth, deps.logger));
  const healthService = createHealthService(deps.health, [SERVICE]);
  server.addService(healthServiceDefinition, healthService.implementation);
  new ReflectionService(packageDefinition).addToServer(server);
  return { server, healthService };
}

/** Binds host:port (port 0: any free one) and resolves with the port. */
export function listen(server: grpc.Server, port: number, host = "0.0.0.0"): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
}

export interface StopOptions {
  /** How long health answers NOT_SERVING before the server stops taking calls, so probes and balancers notice. */
  drainMs: number;
  /** How long in-flight calls may take after that before they are cut. */
  forceAfterMs: number;
  logger: Logger;
}

/** Graceful stop: NOT_SERVING (the registry is already shutting down), drain, tryShutdown, forceShutdown when it takes too long. */
export async function stopServer({ server, healthService }: GrpcApp, { drainMs, forceAfterMs, logger }: StopOptions): Promise<void> {
  await healthService.publish();
  await sleep(drainMs);
  healthService.endWatches();
  const graceful = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  const late = sleep(forceAfterMs).then(() => "late" as const);
  if ((await Promise.race([graceful, late])) === "late") {
    logger.warn({ force_after_ms: forceAfterMs }, "in-flight calls outlived the grace period, cutting them");
    server.forceShutdown();
  }
}
