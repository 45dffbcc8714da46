import { relative } from 'node:path';
import { ExternalError } from '../../errors.js';
import { WORKSPACE_FILE, type Service, type WorkspaceData } from '../../models/workspace.js';
import type { RuntimeEvents } from '../runtime.js';
import { noteStaleGrpcApis } from '../watch/grpc-api-notes.js';
import { installDependencies } from './install.js';
import type { Supervisor } from './supervisor.js';
import { noteReloadPlan, readWorkspaceEdit, type ReloadPlan } from '../watch/workspace-edit.js';
import { planReload } from './workspace-reload.js';

const INSTALL_ON = /^(package\.json|package-lock\.json)$/;
const FIRST_ERRORS = 6;

/**
 * What a burst of changes in one service's folder does: reinstall first when
 * package.json or the lockfile changed (or the last install failed), then
 * restart it alone; one line says what changed and how long it took. A failed
 * install is shown as the service failing, with npm's first error lines, and
 * waits for the next save.
 */
export function serviceRestarter(service: Service, supervisor: Supervisor, events: RuntimeEvents): (paths: string[]) => Promise<number | void> {
  let installFailed = false;
  return async (paths) => {
    const started = Date.now();
    const what = paths.length === 1 ? relative(service.dir, paths[0]) : `${paths.length} files`;
    if (installFailed || paths.some((path) => INSTALL_ON.test(relative(service.dir, path)))) {
      events.note(service.name, `${what} changed → reinstalling dependencies`);
      supervisor.dropSpare(service.name);
      try {
        await installDependencies(service.dir, service.name);
        installFailed = false;
      } catch (error) {
        installFailed = true;
        await supervisor.markFailed(service.name, installFailure(error as Error), 'its dependencies failed to install');
        events.note(service.name, `${what} changed → installing its dependencies failed (${Date.now() - started} ms); the next save tries again`);
        return;
      }
    }
    const ready = await supervisor.startOne(service.name, true);
    if (ready) void supervisor.prewarm(service.name);
    const ms = Date.now() - started;
    const timing = supervisor.lastStart(service.name);
    const how = timing ? ` (stop ${timing.stopMs} ms, start ${ms - timing.stopMs} ms${timing.warm ? ', warm spare' : ''})` : '';
    events.note(service.name, ready ? `${what} changed → restarted in ${ms} ms${how}` : `${what} changed → failed to start (${ms} ms); the next save tries again`);
    noteStaleGrpcApis(supervisor.current, service, paths, events);
    // Saves before the new process started are in it: only later ones need another restart.
    const startedAt = supervisor.snapshot().find((s) => s.service === service.name)?.startedAt;
    return startedAt ? Date.parse(startedAt) : undefined;
  };
}

/** npm's own first error lines, the way a crash shows the service's. */
function installFailure(error: Error): string {
  const output = error instanceof ExternalError ? error.outputTail : '';
  const lines = output.split('\n').filter((line) => line.trim());
  const errors = lines.filter((line) => /npm error|ERR!|error/i.test(line));
  const shown = (errors.length > 0 ? errors : lines).slice(0, FIRST_ERRORS);
  return shown.length === 0 ? error.message : `${error.message}; first lines:\n    ${shown.join('\n    ')}`;
}

/**
 * msx.yaml changed while watching: validated by the one loader; invalid, its
 * problems are shown (msx.yaml:LINE:COL ...) and nothing is touched; valid,
 * only what the edit changed is restarted, started or stopped. Returns the
 * plan it carried out, or undefined when it did nothing.
 */
export async function reloadWorkspace(supervisor: Supervisor, events: RuntimeEvents): Promise<{ next: WorkspaceData; plan: ReloadPlan } | undefined> {
  const before = supervisor.current;
  const next = await readWorkspaceEdit(before, events);
  if (!next) return undefined;
  const plan = planReload(before, next, supervisor.managed());
  const changes = noteReloadPlan(plan, events);
  const started = Date.now();
  try {
    await supervisor.reload(next, plan);
  } catch (error) {
    // A new service whose install failed, say: the others run on as they are.
    events.note(undefined, `${WORKSPACE_FILE} change not fully applied: ${(error as Error).message}`);
  }
  if (changes) events.note(undefined, `${WORKSPACE_FILE} change applied in ${Date.now() - started} ms`);
  return { next, plan };
}
