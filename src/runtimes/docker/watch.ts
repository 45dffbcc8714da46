import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import dockerignore from '@balena/dockerignore';
import { ExternalError } from '../../errors.js';
import type { Service } from '../../models/workspace.js';
import { rebuildAndRecreate, syncAndRestart, type LiveUpdateContext, type SyncedFiles } from './live-update.js';

// The same rules as the local runtime's watcher (runtimes/local/watch.ts); the two should share one module.
/** A burst of saves (an editor, a checkout) within this quiet period is one update. */
const QUIET_MS = 200;
const WATCHED = ['src', 'proto', 'contracts', 'migrations', 'package.json', 'package-lock.json', 'Dockerfile', '.dockerignore'];
const ALWAYS_IGNORED = /(^|[/\\])(node_modules|dist|\.msx|\.git)([/\\]|$)/;
/** What the image is built from beyond the sources: a change rebuilds it (cached layers) and recreates the container. */
const REBUILD_ON = /^(Dockerfile|\.dockerignore|package\.json|package-lock\.json)$/;

export interface DockerWatch {
  close(): Promise<void>;
}

/**
 * `msx up --runtime docker --watch`: a saved source file under a service's
 * folder is synced into its container and the container restarted; a
 * Dockerfile, package.json or lockfile change rebuilds the dev image and
 * recreates the container. One line says which, and how long it took. A
 * service that fails to start after an edit stays stopped, with its first
 * error lines, until the next save. `busy` holds the services being updated,
 * so the caller's report of Docker's own restarts stays quiet for them.
 */
export async function watchContainers(services: Service[], context: LiveUpdateContext, busy: Set<string>): Promise<DockerWatch> {
  const { watch } = await import('chokidar');
  const watchers = services.map((service) => {
    const ignored = ignoreRules(service.dir);
    const paths = [...WATCHED, ...tsconfigs(service.dir)].map((p) => join(service.dir, p)).filter(existsSync);
    const watcher = watch(paths, { ignoreInitial: true, ignored: (path) => ignored(relative(service.dir, path)) });
    const queue = debouncedUpdate(service, context, busy);
    watcher.on('all', (event, path) => queue(event, relative(service.dir, path).split(sep).join('/')));
    watcher.on('error', (error) => context.events.note(service.name, watchProblem(error as NodeJS.ErrnoException)));
    return watcher;
  });
  // A save before a watcher's first scan finished would go unseen: say "watching" only once each is ready.
  await Promise.all(watchers.map((w) => new Promise<void>((resolve) => w.once('ready', () => resolve()))));
  return { close: async () => void (await Promise.all(watchers.map((w) => w.close()))) };
}

function debouncedUpdate(service: Service, context: LiveUpdateContext, busy: Set<string>): (event: string, path: string) => void {
  let changed = new Map<string, 'added' | 'write' | 'remove'>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const run = async () => {
    const files = changed;
    changed = new Map();
    if (files.size === 0) return;
    busy.add(service.name);
    try {
      context.events.note(service.name, await update(service, context, files));
    } finally {
      busy.delete(service.name);
    }
  };
  const fire = () => {
    timer = undefined;
    // A save while the last update runs gets one more update after it, not one in parallel.
    if (running) return void (timer = setTimeout(fire, QUIET_MS));
    running = run().finally(() => (running = undefined));
  };
  return (event, path) => {
    if (event === 'addDir') return; // its files arrive as their own events
    const removed = event === 'unlink' || event === 'unlinkDir';
    // A file made and removed within one burst (an editor's or sed's temp file) was never there.
    if (removed && changed.get(path) === 'added') changed.delete(path);
    else changed.set(path, removed ? 'remove' : event === 'add' && !changed.has(path) ? 'added' : 'write');
    if (changed.size === 0) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, QUIET_MS);
  };
}

/** One debounced batch of changes: sync and restart, or rebuild and recreate. Returns the line that says what happened. */
async function update(service: Service, context: LiveUpdateContext, changes: Map<string, 'added' | 'write' | 'remove'>): Promise<string> {
  const paths = [...changes.keys()];
  const what = paths.length === 1 ? paths[0] : `${paths.length} files`;
  const started = performance.now();
  const took = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  const rebuildFor = paths.find((path) => REBUILD_ON.test(path));
  try {
    if (rebuildFor) {
      const why = paths.length === 1 ? '' : ` (${rebuildFor} among them)`;
      const onBuild = () => context.events.note(service.name, `${what} changed${why}: rebuilding its dev image`);
      const status = await rebuildAndRecreate(context, service, `recreated after ${rebuildFor} changed`, onBuild);
      return status.state === 'ready'
        ? `${what} changed${why} → rebuilt its image, recreated in ${took()}`
        : `${what} changed${why} → rebuilt its image, failed to start (${took()}); the next save tries again`;
    }
    const files: SyncedFiles = {
      // A file written and then removed within the quiet period is gone: removed.
      write: paths.filter((path) => changes.get(path) !== 'remove' && existsSync(join(service.dir, path))),
      remove: paths.filter((path) => changes.get(path) === 'remove' || !existsSync(join(service.dir, path))),
    };
    const status = await syncAndRestart(context, service, files, `restarted after ${what} changed`);
    const synced = `synced ${plural(files.write.length + files.remove.length, 'file')} into its container`;
    return status.state === 'ready' ? `${what} changed → ${synced}, restarted in ${took()}` : `${what} changed → ${synced}, failed to start (${took()}); the next save tries again`;
  } catch (error) {
    // A failed build (or an engine refusal) keeps the running container; the next save tries again.
    const tail = error instanceof ExternalError ? `\n    ${error.outputTail.split('\n').slice(-6).join('\n    ')}` : '';
    return `${what} changed → ${(error as Error).message} (${took()}); the container runs as before, the next save tries again${tail}`;
  }
}

/**
 * What never triggers an update: node_modules, dist, .msx and .git, what the
 * service's .gitignore ignores (at any depth when the pattern has no slash,
 * as git reads it), and what its .dockerignore keeps out of the image.
 */
export function ignoreRules(dir: string): (path: string) => boolean {
  const git = dockerignore.default().add(readLines(join(dir, '.gitignore')).map(gitToDocker));
  const docker = dockerignore.default().add(readLines(join(dir, '.dockerignore')));
  return (path) => {
    if (path === '' || path.startsWith('..')) return false;
    if (ALWAYS_IGNORED.test(path)) return true;
    if (REBUILD_ON.test(path)) return false;
    return git.ignores(path) || docker.ignores(path);
  };
}

function readLines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
}

/** A .gitignore pattern in .dockerignore's terms: one without an inner slash matches at any depth. */
function gitToDocker(line: string): string {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return trimmed;
  const negated = trimmed.startsWith('!');
  const body = (negated ? trimmed.slice(1) : trimmed).replace(/\/$/, '');
  const anchored = body.startsWith('/') ? body.slice(1) : body.includes('/') ? body : `**/${body}`;
  return `${negated ? '!' : ''}${anchored}`;
}

function tsconfigs(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => /^tsconfig.*\.json$/.test(name)) : [];
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function watchProblem(error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOSPC') {
    return 'the file watcher hit the inotify limit; raise it with `sudo sysctl fs.inotify.max_user_watches=524288` and run msx up --watch again';
  }
  return `the file watcher failed: ${error.message}`;
}
