import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { HealthRegistry } from "../platform/health.js";

/**
 * The three probes over plain node:http (a consumer serves no other HTTP):
 * /health/live, /health/startup, /health/ready with the same bodies as a REST service.
 */
export function createHealthServer(health: HealthRegistry): Server {
  return createServer((request, response) => {
    const path = (request.url ?? "").split("?")[0];
    if (request.method !== "GET" && request.method !== "HEAD") return send(response, 405, { status: "method not allowed" });
    switch (path) {
      case "/health/live":
        return send(response, 200, { status: "ok" });
      case "/health/startup":
        return health.started ? send(response, 200, { status: "started" }) : send(response, 503, { status: "starting" });
      case "/health/ready":
        return void health.readiness().then(({ ready, status, failing, checks }) => send(response, ready ? 200 : 503, { status, failing, checks }));
      default:
        return send(response, 404, { status: "not found" });
    }
  });
}

/** Listens on host:port (port 0: any free one) and resolves with the port. */
export function listen(server: Server, port: number, host = "0.0.0.0"): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
