import { relative, sep } from 'node:path';
import { staleApiNote, staleGrpcApis } from '../../models/grpc-apis.js';
import type { Service, WorkspaceData } from '../../models/workspace.js';
import type { RuntimeEvents } from '../runtime.js';

/**
 * After a gRPC service's proto/ was edited while watching: a gateway that routes to it still
 * serves its own copy of the API, so each one whose copy now differs is named, with the `cp`.
 */
export function noteStaleGrpcApis(workspace: Pick<WorkspaceData, 'root' | 'services'>, service: Service, changed: readonly string[], events: RuntimeEvents): void {
  if (service.kind !== 'grpc') return;
  const inProto = changed.some((path) => relative(service.dir, path).split(sep)[0] === 'proto');
  if (!inProto) return;
  for (const stale of staleGrpcApis(workspace.root, workspace.services).filter((s) => s.service === service.name)) events.note(stale.gateway, staleApiNote(stale));
}
