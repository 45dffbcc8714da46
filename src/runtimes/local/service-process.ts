import { localUrl } from '../../models/service-status.js';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Service } from '../../models/workspace.js';
import { probeReadiness } from '../probes.js';
import type { RuntimeEvents, ServiceState, ServiceStatus } from '../runtime.js';
import type { ServiceLogFile } from '../../state/log-file.js';
import { toLogLine } from '../../state/log-record.js';
import { withLastLines } from '../last-lines.js';
import { isGroupAlive } from '../process-groups.js';
import { DEFAULT_RESTART_POLICY, onCrash, type RestartPolicy } from './restart-policy.js';
import { startCommand, type StartCommand } from './start-command.js';

const LAST_LINES = 30;
const FIRST_ERRORS = 6;

/**
 * One service as a child process in its own process group: started, gated on
 * readiness, restarted with backoff when it crashes, stopped with SIGTERM then
 * SIGKILL to the whole group so nothing it spawned outlives it.
 */
export class ServiceProcess {
  readonly status: ServiceStatus;
  private child?: ChildProcess;
  private stopping = false;
  /** Until the first ready, an exit is a start failure (reported at once), not a crash to restart. */
  private everReady = false;
  private crashes: number[] = [];
  private readonly lastLines: string[] = [];
  /** The first stderr lines of the current process: where a syntax error or a throw in main says file:line and why. */
  private firstErrors: string[] = [];

  constructor(
    readonly service: Service,
    private readonly env: Record<string, string>,
    private readonly logFile: ServiceLogFile,
    private readonly events: RuntimeEvents,
    private readonly readyTimeoutMs: number,
    private readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY,
    /** A warm process already started with this env (standby.ts), used instead of spawning one. */
    private readonly spare?: (env: Record<string, string>) => ChildProcess | undefined,
  ) {
    this.status = { service: service.name, state: 'pending', port: service.port, url: localUrl(service), restarts: 0 };
  }

  set(state: ServiceState, detail?: string): void {
    Object.assign(this.status, { state, detail });
    this.events.state({ ...this.status });
  }

  /** Starts the process and resolves once it is ready (true) or has failed (false). */
  async start(): Promise<boolean> {
    await this.spawn();
    return this.waitForReady(true);
  }

  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      signalGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    // The leader is gone; anything it left in its group goes too.
    if (child?.pid) await killLeftovers(child.pid);
    if (this.status.state !== 'failed' && this.status.state !== 'blocked') this.set('stopped');
  }

  tail(): string[] {
    return [...this.lastLines];
  }

  private async spawn(): Promise<void> {
    this.set('starting');
    const child = this.spare?.(this.env) ?? (await launchService(this.service, this.env)).child;
    this.child = child;
    this.firstErrors = [];
    Object.assign(this.status, { pid: child.pid, startedAt: new Date().toISOString() });
    this.pipe(child.stdout!, 'stdout');
    this.pipe(child.stderr!, 'stderr');
    // A spare may have died while it waited: then 'exit' was already emitted.
    if (child.exitCode !== null || child.signalCode !== null) queueMicrotask(() => void this.onExit(child, child.exitCode, child.signalCode));
    else child.once('exit', (code, signal) => void this.onExit(child, code, signal));
  }

  private pipe(stream: NodeJS.ReadableStream, name: 'stdout' | 'stderr'): void {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (text) => {
      const line = toLogLine(this.service.name, name, text);
      this.lastLines.push(text);
      if (name === 'stderr' && text.trim() && this.firstErrors.length < FIRST_ERRORS) this.firstErrors.push(text);
      if (this.lastLines.length > LAST_LINES) this.lastLines.shift();
      this.logFile.write(line);
      this.events.log(line);
    });
  }

  private async waitForReady(firstStart: boolean): Promise<boolean> {
    const child = this.child!;
    const deadline = Date.now() + this.readyTimeoutMs;
    let last = 'no answer yet';
    // Often at first, where a restart after an edit is usually ready, then less so for a slow start.
    let pause = 20;
    while (Date.now() < deadline) {
      if (this.child !== child || child.exitCode !== null || child.signalCode !== null) {
        if (firstStart) return this.fail(`exited before it was ready (code ${child.exitCode ?? child.signalCode})`);
        return false; // onExit handles the restart
      }
      const probe = await probeReadiness(this.service, '127.0.0.1', this.service.port);
      if (probe.ready) {
        this.everReady = true;
        this.set('ready');
        return true;
      }
      last = probe.detail;
      await sleep(pause);
      pause = Math.min(Math.round(pause * 1.5), 100);
    }
    return this.fail(`not ready after ${Math.round(this.readyTimeoutMs / 1000)}s; last check: ${last}`);
  }

  private fail(detail: string): false {
    this.stopping = true;
    const lines = this.firstErrors.length > 0 ? this.firstErrors : this.lastLines;
    // Killed before it is reported failed, and reported without its pid: SIGKILL cannot be refused,
    // and the exit that follows is not reported again (`ps --json` would keep a dead pid).
    if (this.child?.pid) signalGroup(this.child.pid, 'SIGKILL');
    this.status.pid = undefined;
    this.set('failed', withLastLines(detail, lines, lines === this.firstErrors ? FIRST_ERRORS : undefined));
    return false;
  }

  private async onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    if (this.child === child) {
      // `ps --json` gives no pid of a process that is gone (the table already printed '-').
      this.status.pid = undefined;
      if (!this.stopping) this.status.lastExit = signal ?? `exit code ${code}`;
    }
    if (this.stopping || this.child !== child || !this.everReady) return;
    if (child.pid) await killLeftovers(child.pid);
    const { crashes, decision } = onCrash(this.crashes, Date.now(), this.policy);
    this.crashes = crashes;
    if (decision.action === 'give-up') {
      const detail = `crashed ${decision.crashesInWindow} times in ${decision.windowMs / 1000}s (last: ${signal ?? `exit ${code}`})`;
      this.set('failed', withLastLines(detail, this.lastLines));
      return;
    }
    const backoff = decision.backoffMs;
    this.status.restarts += 1;
    this.set('restarting', `exited (${signal ?? `code ${code}`}); restart ${this.status.restarts} in ${backoff} ms`);
    await sleep(backoff);
    if (this.stopping) return;
    await this.spawn();
    await this.waitForReady(false);
  }
}

const GUARD = fileURLToPath(new URL('./service-guard.js', import.meta.url));
const STANDBY_ENTRY = fileURLToPath(new URL('./standby-entry.js', import.meta.url));

/**
 * Spawns a service in its own process group with service-guard.ts loaded first. `standby`: the
 * process loads tsx and the dependencies, then waits for a line on stdin before it imports main
 * (standby-entry.ts); undefined when the service does not start through tsx, or msx runs from source.
 */
export async function launchService(service: Service, env: Record<string, string>, standby = false): Promise<{ child: ChildProcess }> {
  let start = guarded(startCommand(service.dir), env);
  if (standby) {
    const main = start.args.at(-1);
    if (!existsSync(STANDBY_ENTRY) || start.command !== process.execPath || !start.args.includes('tsx') || !main?.endsWith('.ts')) {
      throw new Error('no standby for this start command');
    }
    // The entry loads the guard itself, once it listens for its line: a line the guard's stdin took first would be lost.
    const args = start.args.slice(0, -1).filter((arg, i, all) => arg !== pathToFileURL(GUARD).href && all[i + 1] !== pathToFileURL(GUARD).href);
    start = { ...start, args: ['--experimental-import-meta-resolve', ...args, STANDBY_ENTRY, main] };
  }
  const { execa } = await import('execa');
  // In an object: execa's child is also a promise of its end, which an async function would wait for.
  const child = execa(start.command, start.args, {
    cwd: service.dir,
    env: start.env,
    detached: true,
    // Held open and never written (but by a standby's one line): it ends when this process dies (service-guard.ts).
    stdin: 'pipe',
    buffer: false,
    reject: false,
    cleanup: false,
  });
  return { child };
}

/** The start command with service-guard.ts loaded first (only built msx has the .js; from source it is left out). */
function guarded(start: StartCommand, env: Record<string, string>): StartCommand & { env: Record<string, string> } {
  if (!existsSync(GUARD)) return { ...start, env };
  const guardEnv = { ...env, MSX_SUPERVISED: '1' };
  if (start.command === process.execPath) return { command: start.command, args: ['--import', pathToFileURL(GUARD).href, ...start.args], env: guardEnv };
  // npm run dev: npm itself is the child whose stdin ends; the guard in it SIGTERMs npm, which stops its script.
  return { ...start, env: { ...guardEnv, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --import=${pathToFileURL(GUARD).href}`.trim() } };
}

export async function killLeftovers(pgid: number): Promise<void> {
  for (let i = 0; i < 50 && isGroupAlive(pgid); i += 1) {
    signalGroup(pgid, 'SIGKILL');
    await sleep(20);
  }
}

export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

