import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ExternalError } from '../../errors.js';
import type { Service } from '../../models/workspace.js';
import { withServiceLock, withServiceLocks } from '../../state/service-lock.js';
import { noteStaleGrpcApis } from '../watch/grpc-api-notes.js';
import { ServiceIgnore } from '../watch/ignore.js';
import { watchWorkspace, type WatchHandle } from '../watch/workspace-watcher.js';
import { rebuildAndRecreate, syncAndRestart, type LiveUpdateContext, type RestartedBy, type SyncedFiles } from './live-update.js';
import { reloadContainers } from './workspace-reload.js';

const WATCHED = ['src', 'proto', 'contracts', 'migrations', 'package.json', 'package-lock.json', 'Dockerfile', '.dockerignore'];
/** What the image is built from beyond the sources: a change rebuilds it (cached layers) and recreates the container. */
const REBUILD_ON = /^(Dockerfile|\.dockerignore|package\.json|package-lock\.json)$/;
/** Beside .gitignore, what .dockerignore keeps out of the image is no reason to update it; what it is built from always is. */
const IGNORE = { alsoFrom: ['.dockerignore'], never: ['Dockerfile', '.dockerignore', 'package.json', 'package-lock.json'] };

export type DockerWatch = WatchHandle;

/** The restart line's last words: how the new process started. */
const RESTARTED_BY: Record<RestartedBy, string> = {
  warm: 'warm spare',
  loading: 'its spare was still loading',
  none: 'no spare yet: a cold start in its container',
  container: 'container restarted',
};

/**
 * `msx up --runtime docker --watch`, on the shared watcher (runtimes/watch): a
 * saved source file under a service's folder is synced into its container and
 * the container restarted; a Dockerfile, package.json or lockfile change
 * rebuilds the dev image and recreates the container; a workspace
 * contracts/events/<event>.json change restarts its publishers and
 * subscribers; an msx.yaml change recreates only the containers it changed
 * (workspace-reload.ts). One line says which, and how long it took. A service
 * that fails to start after an edit stays stopped, with its first error
 * lines, until the next save. Each update holds the service's lock, so a
 * `msx restart` meanwhile waits for it. `busy` holds the services being
 * updated, so the caller's report of Docker's own restarts stays quiet for them.
 */
export async function watchContainers(services: Service[], context: LiveUpdateContext, busy: Set<string>): Promise<DockerWatch> {
  const busyWhile = async <T>(names: string[], action: () => Promise<T>) => {
    for (const name of names) busy.add(name);
    try {
      return await action();
    } finally {
      for (const name of names) busy.delete(name);
    }
  };
  return watchWorkspace(services, {
    current: () => context.workspace,
    servicePaths: WATCHED,
    ignore: IGNORE,
    events: context.events,
    update: (service, paths) =>
      withServiceLock(context.workspace.root, service.name, 'a watch update', () =>
        busyWhile([service.name], async () => {
          context.events.note(service.name, await update(service, context, paths));
          noteStaleGrpcApis(context.workspace, service, paths, context.events);
        }),
      ),
    reload: () => {
      const names = context.workspace.services.map((s) => s.name);
      // An msx.yaml edit may recreate any of them: a msx restart meanwhile waits, as it does for a file's update.
      return withServiceLocks(context.workspace.root, names, 'a watch update (msx.yaml)', () => busyWhile(names, () => reloadContainers(context)));
    },
  });
}

/** One debounced batch of changes: sync and restart, or rebuild and recreate. Returns the line that says what happened. */
async function update(service: Service, context: LiveUpdateContext, changed: string[]): Promise<string> {
  // Inside the folder: synced; a workspace contract the service publishes or subscribes to: a restart only.
  const paths = changed.filter((path) => path.startsWith(service.dir + sep)).map((path) => relative(service.dir, path).split(sep).join('/'));
  const outside = changed.filter((path) => !path.startsWith(service.dir + sep)).map((path) => relative(context.workspace.root, path).split(sep).join('/'));
  const all = [...paths, ...outside];
  const what = all.length === 1 ? all[0] : `${all.length} files`;
  const started = performance.now();
  const took = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  const rebuildFor = paths.find((path) => REBUILD_ON.test(path));
  try {
    if (rebuildFor) {
      const why = all.length === 1 ? '' : ` (${rebuildFor} among them)`;
      const onBuild = () => context.events.note(service.name, `${what} changed${why}: rebuilding its dev image`);
      const status = await rebuildAndRecreate(context, service, `recreated after ${rebuildFor} changed`, onBuild);
      return status.state === 'ready'
        ? `${what} changed${why} → rebuilt its image, recreated in ${took()}`
        : `${what} changed${why} → rebuilt its image, failed to start (${took()}); the next save tries again`;
    }
    const files: SyncedFiles = {
      // A file written and then removed within the quiet period is gone: removed.
      write: paths.filter((path) => existsSync(join(service.dir, path))),
      remove: paths.filter((path) => !existsSync(join(service.dir, path))),
    };
    const { status, by, mounted } = await syncAndRestart(context, service, files, `restarted after ${what} changed`);
    const count = files.write.length + files.remove.length - mounted;
    const synced = count > 0 ? `synced ${plural(count, 'file')} into its container${mounted > 0 ? ` (${mounted} more through its source mount)` : ''}, ` : mounted > 0 ? 'in its container through its source mount, ' : '';
    return status.state === 'ready'
      ? `${what} changed → ${synced}restarted in ${took()} (${RESTARTED_BY[by]})`
      : `${what} changed → ${synced}failed to start (${took()}); the next save tries again`;
  } catch (error) {
    // A failed build (or an engine refusal) keeps the running container; the next save tries again.
    const tail = error instanceof ExternalError ? `\n    ${error.outputTail.split('\n').slice(-6).join('\n    ')}` : '';
    return `${what} changed → ${(error as Error).message} (${took()}); the container runs as before, the next save tries again${tail}`;
  }
}

/** What never triggers an update, as the shared watcher reads it (`path` relative to the service's folder). */
export function ignoreRules(dir: string): (path: string) => boolean {
  const rules = new ServiceIgnore(dir, IGNORE);
  return (path) => rules.ignores(join(dir, path));
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
