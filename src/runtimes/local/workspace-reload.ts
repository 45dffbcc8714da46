import type { Service, WorkspaceData } from '../../models/workspace.js';
import { infraNeeds, serviceEnv } from '../../models/wiring.js';
import type { ReloadPlan } from '../watch/workspace-edit.js';

/**
 * Compares the workspace as it runs with the one msx.yaml now describes.
 * `running`: the services the supervisor manages (a `msx up SERVICE` may have
 * started only some); only those are restarted or stopped. Pure.
 */
export function planReload(before: WorkspaceData, after: WorkspaceData, running: ReadonlySet<string>): ReloadPlan {
  const names = (ws: WorkspaceData) => new Set(ws.services.map((s) => s.name));
  const was = names(before);
  const is = names(after);
  return {
    stop: before.services.filter((s) => !is.has(s.name) && running.has(s.name)).map((s) => s.name),
    restart: after.services
      .filter((s) => was.has(s.name) && running.has(s.name))
      .filter((s) => runKey(before, before.services.find((b) => b.name === s.name)!) !== runKey(after, s))
      .map((s) => s.name),
    start: after.services.filter((s) => !was.has(s.name)).map((s) => s.name),
  };
}

/**
 * Everything about a service that its local process sees: the env msx gives it
 * (serviceEnv: port, name, dependency URLs, infra, config and the local
 * overrides), the infra URLs msx.yaml names, its folder, kind, db and how it is
 * probed. Publishes, subscribes, resources and secret names do not reach it locally.
 */
function runKey(workspace: WorkspaceData, service: Service): string {
  const env = serviceEnv({
    workspace,
    service,
    environment: 'local',
    addressOf: (target) => ({ host: '127.0.0.1', port: target.port }),
    host: '127.0.0.1',
  });
  const infra = infraNeeds(service).map((name) => [name, workspace.infra[name]?.url]);
  return JSON.stringify({ env, infra, dir: service.dir, kind: service.kind, db: service.db, readiness: service.probes?.readiness });
}
