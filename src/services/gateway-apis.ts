import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { FileTree } from '../files/file-tree.js';

/** Where a service keeps its gRPC API, and where a gateway keeps its copy: `proto/<service>.proto`. */
export const protoFile = (servicePath: string, service: string) => `${servicePath}/proto/${service}.proto`;

/** A file every gateway since gRPC routes has; an older one's package lacks the gRPC client. */
const GRPC_ROUTES_FILE = 'src/proxy/grpc-routes.ts';

/**
 * Puts the gRPC service's API into the gateway's proto/, from the tree when the service is being
 * made in the same step, else from its folder: the gateway serves the methods of that copy.
 */
export function copyGrpcApi(tree: FileTree, gateway: { name: string; path: string }, service: { name: string; path: string }): void {
  const source = protoFile(service.path, service.name);
  const text = tree.read(source) ?? readIfThere(join(tree.root, source));
  if (text === undefined) {
    throw new UserError(`gRPC service "${service.name}" has no ${source} for gateway "${gateway.name}" to route to`, {
      hint: `put its API back at ${source}, or leave it out of the gateway's routes`,
      exit: 'notFound',
    });
  }
  tree.create(protoFile(gateway.path, service.name), text);
}

/** Whether an existing gateway can route to gRPC services (made by an msx that has gRPC routes). */
export function gatewayServesGrpc(workspaceRoot: string, gatewayPath: string): boolean {
  return existsSync(join(workspaceRoot, gatewayPath, GRPC_ROUTES_FILE));
}

function readIfThere(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}
