import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { FileTree } from '../files/file-tree.js';
import { protoFile, readIfThere } from '../models/grpc-apis.js';

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


