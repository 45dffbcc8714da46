import type { Service } from '../../models/workspace.js';
import type { RuntimeEvents } from '../runtime.js';
import { watchWorkspace, type WatchHandle } from '../watch/workspace-watcher.js';
import type { Supervisor } from './supervisor.js';
import { reloadWorkspace, serviceRestarter } from './watch-actions.js';

/** What is watched in a service's folder: never the folder itself, so node_modules and dist cost no watch at all. */
const SERVICE_PATHS = ['src', 'proto', 'contracts', 'migrations', 'package.json', 'package-lock.json'];

export type { WatchHandle };

/**
 * `msx up --watch` on the local runtime: the shared watcher (runtimes/watch)
 * routes a change in a service's folder, or in a contract it publishes or
 * subscribes to, to a restart of that service alone (graceful stop, start,
 * readiness; a reinstall first for package.json/lockfile), and an msx.yaml
 * change to a reload that restarts only what it changed (watch-actions.ts).
 * A service that fails to start after an edit stays failed until the next save.
 */
export async function watchServices(services: Service[], supervisor: Supervisor, events: RuntimeEvents): Promise<WatchHandle> {
  const restarters = new Map<string, (paths: string[]) => Promise<number | void>>();
  const restarterOf = (service: Service) => {
    if (!restarters.has(service.name)) restarters.set(service.name, serviceRestarter(service, supervisor, events));
    return restarters.get(service.name)!;
  };
  let watched = new Map(services.map((s) => [s.name, s]));
  return watchWorkspace(services, {
    current: () => supervisor.current,
    servicePaths: SERVICE_PATHS,
    events,
    update: (service, paths) => restarterOf(service)(paths),
    reload: async () => {
      const applied = await reloadWorkspace(supervisor, events);
      if (!applied) return undefined;
      const { next, plan } = applied;
      const moved = next.services.filter((s) => plan.restart.includes(s.name) && watched.get(s.name)?.dir !== s.dir);
      const unwatch = [...plan.stop, ...moved.map((s) => s.name)];
      const watch = [...moved, ...next.services.filter((s) => plan.start.includes(s.name))];
      for (const name of unwatch) restarters.delete(name);
      watched = new Map([...[...watched].filter(([name]) => !unwatch.includes(name)), ...watch.map((s) => [s.name, s] as const)]);
      return { unwatch, watch };
    },
  });
}
