import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Service } from '../../models/workspace.js';
import type { RuntimeEvents } from '../runtime.js';
import { installDependencies } from './install.js';
import type { Supervisor } from './supervisor.js';

/** A burst of saves (an editor, a checkout) within this quiet period is one restart. */
const QUIET_MS = 200;
const WATCHED = ['src', 'proto', 'contracts', 'migrations', 'package.json', 'package-lock.json'];
const IGNORED = /(^|[/\\])(node_modules|dist|\.msx|\.git)([/\\]|$)/;
const INSTALL_ON = /(^|[/\\])(package\.json|package-lock\.json)$/;

/**
 * `msx up --watch`: a change under a service's folder restarts that service
 * alone (graceful stop, start, readiness). A service that fails to start after
 * an edit stays failed until the next save; nothing restarts it in a loop.
 */
export async function watchServices(services: Service[], supervisor: Supervisor, events: RuntimeEvents): Promise<{ close(): Promise<void> }> {
  const { watch } = await import('chokidar');
  const watchers = services.map((service) => {
    const paths = [...WATCHED, ...tsconfigs(service.dir)].map((p) => join(service.dir, p)).filter(existsSync);
    const watcher = watch(paths, { ignoreInitial: true, ignored: (path) => IGNORED.test(relative(service.dir, path)) });
    const restart = debouncedRestart(service, supervisor, events);
    watcher.on('all', (_event, path) => restart(path));
    watcher.on('error', (error) => events.note(service.name, watchProblem(error as NodeJS.ErrnoException)));
    return watcher;
  });
  return { close: async () => void (await Promise.all(watchers.map((w) => w.close()))) };
}

function debouncedRestart(service: Service, supervisor: Supervisor, events: RuntimeEvents): (path: string) => void {
  let changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const run = async () => {
    const files = [...changed];
    changed = new Set();
    const started = Date.now();
    if (files.some((file) => INSTALL_ON.test(file))) {
      events.note(service.name, 'package.json or lockfile changed: reinstalling');
      await installDependencies(service.dir, service.name).catch((error: Error) => events.note(service.name, error.message));
    }
    const ready = await supervisor.startOne(service.name, true);
    const what = files.length === 1 ? relative(service.dir, files[0]) : `${files.length} files`;
    const ms = Date.now() - started;
    events.note(service.name, ready ? `${what} changed → restarted in ${ms} ms` : `${what} changed → failed to start (${ms} ms); the next save tries again`);
  };
  const fire = () => {
    timer = undefined;
    // A save while the last restart runs gets one more restart after it, not one in parallel.
    if (running) return void (timer = setTimeout(fire, QUIET_MS));
    running = run().finally(() => (running = undefined));
  };
  return (path) => {
    changed.add(path);
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, QUIET_MS);
  };
}

function tsconfigs(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => /^tsconfig.*\.json$/.test(name)) : [];
}

function watchProblem(error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOSPC') {
    return 'the file watcher hit the inotify limit; raise it with `sudo sysctl fs.inotify.max_user_watches=524288` and run msx up --watch again';
  }
  return `the file watcher failed: ${error.message}`;
}
