import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorFromJson, ExternalError, UserError } from '../../errors.js';
import type { Service, WorkspaceData } from '../../models/workspace.js';
import type { ControlRequest, DownResult, Runtime, RuntimeEvents, ServiceStatus, UpOptions, UpResult } from '../runtime.js';
import { readState, removeState, takeSupervisorError, writeState, type SupervisorState } from '../../state/local-state.js';
import { msxFile, stateDir } from '../../state/paths.js';
import { identify, isAlive, isGroupAlive } from '../process-groups.js';
import { assertPortsFree, selectServices } from '../select-services.js';
import { STOP_GRACE_MS, Supervisor } from './supervisor.js';
import { sendControl } from './control-client.js';
import { serveControl } from './control-server.js';
import { watchServices } from './watch.js';
import { ensureServiceKey, withServiceAuth } from '../../state/service-key.js';

const SUPERVISOR_MAIN = fileURLToPath(new URL('./supervisor-main.js', import.meta.url));

/** The default runtime: every service a child process of one supervisor, no Docker needed. */
export class LocalRuntime implements Runtime {
  readonly name = 'local' as const;

  async up(workspace: WorkspaceData, options: UpOptions, events: RuntimeEvents): Promise<UpResult> {
    const running = readState(workspace.root);
    if (running && supervisorAlive(running)) {
      throw new UserError(`msx up is already running for this workspace (supervisor pid ${running.supervisorPid})`, {
        hint: 'see it with `msx ps`, stop it with `msx down`',
        exit: 'conflict',
      });
    }
    if (running) await reapLeftovers(workspace, running, events);
    const services = selectServices(workspace, options.services);
    await assertPortsFree(services);
    // Made (or a bad one refused) here, where the user sees the error, before a detached supervisor reads it.
    ensureServiceKey(workspace.root, workspace.name);
    return options.detach ? this.upDetached(workspace, options, events) : this.upForeground(workspace, options, services, events);
  }

  async down(workspace: WorkspaceData): Promise<DownResult> {
    const state = readState(workspace.root);
    if (!state) return { stopped: [], wasRunning: false };
    if (supervisorAlive(state)) {
      process.kill(state.supervisorPid, 'SIGTERM');
      if (!(await waitUntil(() => !supervisorAlive(state), STOP_GRACE_MS + 5_000))) process.kill(state.supervisorPid, 'SIGKILL');
    }
    // A supervisor that was killed hard leaves its services behind: stop them by process group.
    await Promise.all(state.services.map((s) => stopGroup(s.pid, state.starts?.[s.service])));
    removeState(workspace.root);
    return { stopped: state.services.filter((s) => s.pid).map((s) => s.service), wasRunning: true };
  }

  async status(workspace: WorkspaceData): Promise<ServiceStatus[]> {
    const state = readState(workspace.root);
    const alive = state !== undefined && supervisorAlive(state);
    return workspace.services.map((service) => {
      const stopped: ServiceStatus = { service: service.name, state: 'stopped', port: service.port, restarts: 0 };
      const known = state?.services.find((s) => s.service === service.name);
      if (!known) return stopped;
      if (alive) return known;
      return leftRunning(state!, known) ? { ...known, state: 'orphaned', detail: orphanDetail(state!) } : stopped;
    });
  }

  async control(workspace: WorkspaceData, request: ControlRequest, events: RuntimeEvents): Promise<ServiceStatus[]> {
    return sendControl(workspace, request, events);
  }

  private async upForeground(workspace: WorkspaceData, options: UpOptions, selected: Service[], events: RuntimeEvents): Promise<UpResult> {
    const published = publishing(workspace, events);
    const supervisor = new Supervisor(withServiceAuth(workspace), options, published);
    let control: { close(): Promise<void> } | undefined;
    let watcher: { close(): Promise<void> } | undefined;
    const done = new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop).off('SIGTERM', stop);
        void Promise.all([control?.close(), watcher?.close()]).then(() => supervisor.stop()).then(() => {
          removeState(workspace.root);
          resolve();
        });
      };
      process.on('SIGINT', stop).on('SIGTERM', stop);
    });
    const services = await supervisor.start(selected);
    control = await serveControl(workspace, supervisor);
    if (options.watch) watcher = await watchServices(selected, supervisor, published);
    published.settle();
    if (options.watch) void supervisor.prewarmFirstEdits(selected.map((s) => s.name));
    return { services, done };
  }

  private async upDetached(workspace: WorkspaceData, options: UpOptions, events: RuntimeEvents): Promise<UpResult> {
    mkdirSync(stateDir(workspace.root), { recursive: true });
    takeSupervisorError(workspace.root); // an earlier run's, already shown
    const log = openSync(msxFile.supervisorLog(workspace.root), 'a');
    const input = msxFile.supervisorInput(workspace.root, process.pid);
    const { document: _yaml, ...data } = workspace as WorkspaceData & { document?: unknown };
    writeFileSync(input, JSON.stringify({ workspace: data, options }));
    // A small young generation keeps the long-lived supervisor's memory low; it allocates little.
    const child = spawn(process.execPath, ['--max-semi-space-size=1', SUPERVISOR_MAIN, input], {
      detached: true,
      stdio: ['ignore', log, log],
      cwd: workspace.root,
    });
    child.unref();
    const seen = new Map<string, string>();
    const settled = await waitUntil(() => {
      const state = readState(workspace.root);
      if (state && state.supervisorPid === child.pid) forwardChanges(state.services, seen, events);
      return (state !== undefined && state.supervisorPid === child.pid && state.settled) || !isAlive(child.pid);
    }, options.readyTimeoutMs * Math.max(1, workspace.services.length) + 120_000);
    const failure = takeSupervisorError(workspace.root);
    if (failure) throw errorFromJson(failure);
    const state = readState(workspace.root);
    if (!settled || !state || state.supervisorPid !== child.pid || !isAlive(child.pid)) {
      throw new ExternalError('the msx supervisor stopped before every service settled', 'msx up --detach', tailOf(workspace), 'notReady');
    }
    return { services: state.services };
  }
}

/** Mirrors every state change into the state file that `msx ps` and `msx down` read. */
export function publishing(workspace: WorkspaceData, events: RuntimeEvents): RuntimeEvents & { settle(): void } {
  const state: SupervisorState = {
    runtime: 'local', supervisorPid: process.pid, supervisorStart: identify(process.pid)?.start, startedAt: new Date().toISOString(), settled: false, services: [], starts: {},
  };
  return {
    ...events,
    state(status) {
      const start = status.pid && status.pid !== state.services.find((s) => s.service === status.service)?.pid ? identify(status.pid)?.start : undefined;
      if (start !== undefined) state.starts![status.service] = start;
      // In place, so the file keeps the order services were first reported in (dependency order).
      const index = state.services.findIndex((s) => s.service === status.service);
      if (index === -1) state.services.push(status);
      else state.services[index] = status;
      writeState(workspace.root, state);
      events.state(status);
    },
    settle() {
      state.settled = true;
      writeState(workspace.root, state);
    },
  };
}

/** Replays the detached supervisor's state changes as events, for the progress display. */
function forwardChanges(services: ServiceStatus[], seen: Map<string, string>, events: RuntimeEvents): void {
  for (const status of services) {
    const key = `${status.state}|${status.detail ?? ''}`;
    if (seen.get(status.service) === key) continue;
    seen.set(status.service, key);
    events.state(status);
  }
}

function supervisorAlive(state: SupervisorState): boolean {
  return isAlive(state.supervisorPid, state.supervisorStart);
}

/** A service the state file names whose process group still runs: the same group, not a later one under its number. */
function leftRunning(state: SupervisorState, status: ServiceStatus): boolean {
  return isGroupAlive(status.pid, state.starts?.[status.service]);
}

function orphanDetail(state: SupervisorState): string {
  return `its msx supervisor (pid ${state.supervisorPid}) is gone; \`msx down\` stops it, \`msx up\` replaces it`;
}

/** What a supervisor that died (kill -9, OOM) left: stopped before anything starts again, and said. */
async function reapLeftovers(workspace: WorkspaceData, state: SupervisorState, events: RuntimeEvents): Promise<void> {
  const left = state.services.filter((s) => leftRunning(state, s));
  if (left.length > 0) {
    events.note(undefined, `the last msx supervisor (pid ${state.supervisorPid}) died without stopping ${left.map((s) => s.service).join(', ')}: stopping them first`);
    await Promise.all(left.map((s) => stopGroup(s.pid, state.starts?.[s.service])));
  }
  removeState(workspace.root);
}

async function stopGroup(pid: number | undefined, start?: number): Promise<void> {
  if (!pid || !isGroupAlive(pid, start)) return;
  process.kill(-pid, 'SIGTERM');
  if (!(await waitUntil(() => !isGroupAlive(pid), STOP_GRACE_MS))) process.kill(-pid, 'SIGKILL');
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(50);
  }
  return condition();
}

function tailOf(workspace: WorkspaceData): string {
  const file = msxFile.supervisorLog(workspace.root);
  return existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-10).join('\n') : '';
}
