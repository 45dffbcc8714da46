import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import type { Service, WorkspaceData } from '../../models/workspace.js';
import { WORKSPACE_FILE } from '../../models/workspace.js';
import type { RuntimeEvents } from '../runtime.js';
import { debounced } from './debounce.js';
import type { IgnoreOptions } from './ignore.js';
import { ServiceIgnore } from './ignore.js';

/** What an msx.yaml edit changed in the set of watched services (both runtimes work this out from their own plan). */
export interface WatchedChange {
  /** Stopped, or moved to another folder: no longer watched there. */
  unwatch: string[];
  /** Started, or moved here: watched from now on. */
  watch: Service[];
}

/** What one runtime does with the changes the shared watcher routes to it. */
export interface WatchTarget {
  /** The workspace as it runs now (an applied msx.yaml edit replaces it): who publishes or subscribes to an event. */
  current(): WorkspaceData;
  /** Names watched in each service's folder, beside its tsconfig*.json; never the folder itself (node_modules costs no watch). */
  servicePaths: string[];
  ignore?: IgnoreOptions;
  /** One debounced burst of absolute paths in (or, for contracts/events, for) one service. Returns what `debounced` takes. */
  update(service: Service, paths: string[]): Promise<number | void>;
  /** msx.yaml changed: validate and apply; undefined when nothing was applied (an invalid edit). */
  reload(): Promise<WatchedChange | undefined>;
  events: RuntimeEvents;
}

export interface WatchHandle {
  close(): Promise<void>;
}

interface Watched {
  service: Service;
  paths: string[];
  ignore: ServiceIgnore;
  changes: ReturnType<typeof debounced>;
}

/**
 * One file watcher (chokidar) for a running workspace, for either runtime: a
 * change in a service's folder goes to that service alone (debounced: a burst
 * is one update), a workspace contracts/events/<event>.json change to the
 * services that publish or subscribe to it, an msx.yaml change to `reload`.
 * Files a service ignores (node_modules, dist, .msx, .git, its .gitignore)
 * never reach the runtime. Resolves once the first scan finished.
 */
export async function watchWorkspace(services: Service[], target: WatchTarget): Promise<WatchHandle> {
  const { watch } = await import('chokidar');
  const root = target.current().root;
  const watched = new Map<string, Watched>();
  const ownerOf = (path: string) => [...watched.values()].find((w) => path === w.service.dir || path.startsWith(w.service.dir + sep));
  const watcher = watch([], {
    ignoreInitial: true,
    ignored: (path, stats) => ownerOf(path)?.ignore.ignores(path, stats?.isDirectory()) ?? false,
  });
  const add = (service: Service) => {
    const paths = [...target.servicePaths, '.gitignore', ...tsconfigs(service.dir)].map((p) => join(service.dir, p)).filter(existsSync);
    const changes = debounced((changed) => target.update(watched.get(service.name)?.service ?? service, changed));
    watched.set(service.name, { service, paths, ignore: new ServiceIgnore(service.dir, target.ignore), changes });
    watcher.add(paths);
  };
  const remove = (name: string) => {
    const entry = watched.get(name);
    if (!entry) return;
    watched.delete(name);
    watcher.unwatch(entry.paths);
  };
  const yaml = debounced(async () => {
    const change = await target.reload();
    for (const name of change?.unwatch ?? []) remove(name);
    for (const service of change?.watch ?? []) add(service);
  });
  const yamlFile = join(root, WORKSPACE_FILE);
  const contractsDir = join(root, 'contracts', 'events');

  for (const service of services) add(service);
  watcher.add([yamlFile, ...(existsSync(contractsDir) ? [contractsDir] : [])]);
  watcher.on('all', (event, path) => {
    if (event === 'addDir') return; // its files arrive as their own events
    if (path === yamlFile) return yaml.push(path);
    if (dirname(path) === contractsDir && path.endsWith('.json')) {
      for (const name of servicesOfEvent(target.current(), basename(path, '.json'))) watched.get(name)?.changes.push(path);
      return;
    }
    const owner = ownerOf(path);
    if (!owner) return;
    if (path === join(owner.service.dir, '.gitignore')) return owner.ignore.reload();
    // Another ignore file (docker's .dockerignore) changes the rules and is a change of its own too (a rebuild).
    if (target.ignore?.alsoFrom?.some((name) => path === join(owner.service.dir, name))) owner.ignore.reload();
    owner.changes.push(path, event);
  });
  let limitShown = false;
  watcher.on('error', (error) => {
    const problem = watchProblem(error as NodeJS.ErrnoException);
    if (problem.startsWith('file watch limit') && limitShown) return;
    limitShown ||= problem.startsWith('file watch limit');
    target.events.note(undefined, problem);
  });
  // A save before the first scan finished would go unseen: the caller says "watching" only after this.
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    close: async () => {
      await watcher.close();
      await Promise.all([yaml, ...[...watched.values()].map((w) => w.changes)].map((d) => d.idle()));
    },
  };
}

/** The services that publish or subscribe to `event`: the ones a change of contracts/events/<event>.json restarts. */
export function servicesOfEvent(workspace: WorkspaceData, event: string): string[] {
  return workspace.services.filter((s) => s.publishes.includes(event) || s.subscribes.includes(event)).map((s) => s.name);
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
