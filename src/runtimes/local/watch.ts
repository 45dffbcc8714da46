import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import type { Service } from '../../models/workspace.js';
import { WORKSPACE_FILE } from '../../models/workspace.js';
import type { RuntimeEvents } from '../runtime.js';
import type { Supervisor } from './supervisor.js';
import { reloadWorkspace, serviceRestarter } from './watch-actions.js';
import { debounced } from './watch-debounce.js';
import { ServiceIgnore } from './watch-ignore.js';
import { servicesOfEvent } from './workspace-reload.js';

/** What is watched in a service's folder: never the folder itself, so node_modules and dist cost no watch at all. */
const SERVICE_PATHS = ['src', 'proto', 'contracts', 'migrations', 'package.json', 'package-lock.json', '.gitignore'];

interface Watched {
  service: Service;
  paths: string[];
  ignore: ServiceIgnore;
  changes: ReturnType<typeof debounced>;
}

export interface WatchHandle {
  close(): Promise<void>;
}

/**
 * `msx up --watch`: one file watcher (chokidar) for the workspace. A change in
 * a service's folder restarts that service alone (graceful stop, start,
 * readiness); a workspace contracts/events/<event>.json change restarts the
 * services that publish or subscribe to it; an msx.yaml change is validated and
 * applied (watch-actions.ts). Files a service ignores never trigger anything.
 * A service that fails to start after an edit stays failed until the next save.
 */
export async function watchServices(services: Service[], supervisor: Supervisor, events: RuntimeEvents): Promise<WatchHandle> {
  const { watch } = await import('chokidar');
  const root = supervisor.current.root;
  const watched = new Map<string, Watched>();
  const ownerOf = (path: string) => [...watched.values()].find((w) => path === w.service.dir || path.startsWith(w.service.dir + sep));
  const watcher = watch([], {
    ignoreInitial: true,
    ignored: (path, stats) => ownerOf(path)?.ignore.ignores(path, stats?.isDirectory()) ?? false,
  });
  const add = (service: Service) => {
    const paths = [...SERVICE_PATHS, ...tsconfigs(service.dir)].map((p) => join(service.dir, p)).filter(existsSync);
    watched.set(service.name, { service, paths, ignore: new ServiceIgnore(service.dir), changes: debounced(serviceRestarter(service, supervisor, events)) });
    watcher.add(paths);
  };
  const remove = (name: string) => {
    const entry = watched.get(name);
    if (!entry) return;
    watched.delete(name);
    watcher.unwatch(entry.paths);
  };
  const yaml = debounced(async () => {
    const applied = await reloadWorkspace(supervisor, events);
    if (!applied) return;
    const { next, plan } = applied;
    const moved = next.services.filter((s) => plan.restart.includes(s.name) && watched.get(s.name)?.service.dir !== s.dir);
    for (const name of [...plan.stop, ...moved.map((s) => s.name)]) remove(name);
    for (const service of [...moved, ...next.services.filter((s) => plan.start.includes(s.name))]) add(service);
  });
  const yamlFile = join(root, WORKSPACE_FILE);
  const contractsDir = join(root, 'contracts', 'events');

  for (const service of services) add(service);
  watcher.add([yamlFile, ...(existsSync(contractsDir) ? [contractsDir] : [])]);
  watcher.on('all', (_event, path) => {
    if (path === yamlFile) return yaml.push(path);
    if (dirname(path) === contractsDir && path.endsWith('.json')) {
      for (const name of servicesOfEvent(supervisor.current, basename(path, '.json'))) watched.get(name)?.changes.push(path);
      return;
    }
    const owner = ownerOf(path);
    if (!owner) return;
    if (path === join(owner.service.dir, '.gitignore')) return owner.ignore.reload();
    owner.changes.push(path);
  });
  let limitShown = false;
  watcher.on('error', (error) => {
    const problem = watchProblem(error as NodeJS.ErrnoException);
    if (problem.startsWith('file watch limit') && limitShown) return;
    limitShown ||= problem.startsWith('file watch limit');
    events.note(undefined, problem);
  });
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    close: async () => {
      await watcher.close();
      await Promise.all([yaml, ...[...watched.values()].map((w) => w.changes)].map((d) => d.idle()));
    },
  };
}

function tsconfigs(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => /^tsconfig.*\.json$/.test(name)) : [];
}

/** ENOSPC from inotify: the one line that says what to do; the services go on running, unwatched. */
export function watchProblem(error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOSPC') {
    let limit = '?';
    try {
      limit = readFileSync('/proc/sys/fs/inotify/max_user_watches', 'utf8').trim();
    } catch {
      // not Linux
    }
    return `file watch limit reached (fs.inotify.max_user_watches=${limit}): raise it with \`sysctl fs.inotify.max_user_watches=524288\`; the services keep running`;
  }
  return `the file watcher failed: ${error.message}; the services keep running`;
}
