import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a service keeps its gRPC API, and where a gateway keeps its copy: `proto/<service>.proto`. */
export const protoFile = (servicePath: string, service: string) => `${servicePath}/proto/${service}.proto`;

/** A file every gateway since gRPC routes has; an older one's package lacks the gRPC client. */
const GRPC_ROUTES_FILE = 'src/proxy/grpc-routes.ts';

/** Whether an existing gateway can route to gRPC services (made by an msx that has gRPC routes). */
export function gatewayServesGrpc(workspaceRoot: string, gatewayPath: string): boolean {
  return existsSync(join(workspaceRoot, gatewayPath, GRPC_ROUTES_FILE));
}

export function readIfThere(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** A gateway's copy of a routed gRPC service's API that is not the service's own any more. */
export interface StaleGrpcApi {
  gateway: string;
  service: string;
  /**
   * missing: the gateway will not start; differs: it serves the API as it was when copied;
   * unsupported: the gateway was made before gRPC routes and cannot serve one.
   */
  problem: 'missing' | 'differs' | 'unsupported';
  /** The service's file and the gateway's copy, relative to the workspace. */
  source: string;
  copy: string;
}

type ApiServices = ReadonlyArray<{ name: string; kind: string; path: string; routes?: ReadonlyArray<{ service: string }> }>;

/**
 * Every gRPC route whose API copy in the gateway is missing or differs from the service's
 * proto/ (edited since the route was made): `msx up` says so before it starts the gateway.
 * A service without its own file is left out (there is nothing to compare with).
 */
export function staleGrpcApis(workspaceRoot: string, services: ApiServices): StaleGrpcApi[] {
  const stale: StaleGrpcApi[] = [];
  for (const gateway of services.filter((s) => s.kind === 'gateway')) {
    for (const service of new Set((gateway.routes ?? []).map((route) => route.service))) {
      const target = services.find((s) => s.name === service);
      if (target?.kind !== 'grpc') continue;
      const source = protoFile(target.path, service);
      const copy = protoFile(gateway.path, service);
      if (existsSync(join(workspaceRoot, gateway.path)) && !gatewayServesGrpc(workspaceRoot, gateway.path)) {
        stale.push({ gateway: gateway.name, service, problem: 'unsupported', source, copy });
        continue;
      }
      const own = readIfThere(join(workspaceRoot, source));
      if (own === undefined) continue;
      const copied = readIfThere(join(workspaceRoot, copy));
      if (copied === own) continue;
      stale.push({ gateway: gateway.name, service, problem: copied === undefined ? 'missing' : 'differs', source, copy });
    }
  }
  return stale;
}

/** What `msx up` (and the watcher, after an API edit) says of a stale copy, with the fix. */
export function staleApiNote(stale: StaleGrpcApi): string {
  switch (stale.problem) {
    case 'unsupported':
      return `was made by an older msx and cannot route to the gRPC service ${stale.service}: it will stop with a config error (route to a REST service instead, or to a gateway made with this msx: msx new gateway)`;
    case 'missing':
      return `has no ${stale.copy} and will not start: cp ${stale.source} ${stale.copy}`;
    case 'differs':
      return `serves ${stale.service}'s API as ${stale.copy} has it, not as ${stale.source} does now: cp ${stale.source} ${stale.copy}`;
  }
}
