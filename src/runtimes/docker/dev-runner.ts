/**
 * The main process of a dev container (`msx up --runtime docker --watch`),
 * copied into it by msx (dev-runner-install.ts) and run by the image's own
 * node: so it imports nothing but node's built-ins. Its arguments are the
 * image's command (`node --import tsx src/main.ts`), which it runs as its
 * child, unchanged, stdout and stderr those of the container.
 *
 * A warm spare (as the local runtime's standby-entry.ts): a second process
 * with tsx and the service's package.json dependencies loaded, which imports
 * main only on a "go" line, so it runs the code as saved and binds no port
 * before. On SIGUSR2 (msx, through the engine's kill endpoint) the child
 * is stopped (SIGTERM, its own drain, SIGKILL after the stop grace), the spare
 * told to go, and the next spare prepared once the new child listens. What
 * happened is written to STATE_FILE, which msx reads through the engine.
 *
 * Truthful to Docker: a child that ends on its own (a crash, a syntax error
 * after an edit) ends this process with its code, so the container stops as
 * it did without the runner; SIGTERM/SIGINT go to the child and this process
 * exits after it; a spare is killed with it. Nothing outlives this process.
 *
 * Spare mode (`--spare MAIN`, under `--import tsx`): the spare itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where msx reads what the runner did (the image's USER may be any uid: /tmp is writable by all); elsewhere only in msx's tests on the host. */
const STATE_FILE = process.env.MSX_DEV_RUNNER_STATE ?? '/tmp/msx-dev-runner.json';
/** As the container's StopTimeout and msx's STOP_GRACE_SECONDS. */
const STOP_GRACE_MS = 10_000;
/** As standby.ts: packages that must load before the service's code, or not at all, rule a spare out. */
const LOAD_FIRST = /^@opentelemetry\/(auto-instrumentations|sdk-node)|instrumentation|dd-trace|newrelic|elastic-apm|@sentry\//;

if (process.argv[2] === '--spare') await runSpare(process.argv[3]);
else runner(process.argv.slice(2));

/** What msx reads: `generation` counts the restarts done; `spare` says how the last one started; `spareLoaded`: the next is warm. */
interface RunnerState {
  generation: number;
  /** The service's process and its spare (in the container's pid namespace). */
  pid?: number;
  sparePid?: number;
  spare: 'warm' | 'loading' | 'none';
  spareLoaded: boolean;
}

interface Spare {
  child: ChildProcess;
  loaded: boolean;
}

function runner(command: string[]): void {
  const self = process.argv[1];
  const main = command.at(-1)!;
  // The image's node options before the entry (`--import tsx`), kept for the spare.
  const nodeOptions = command.slice(1, -1);
  const spareAllowed = eligible();
  let child = spawnChild(command.slice(1), false);
  let spare: Spare | undefined;
  let generation = 0;
  let restarting = false;
  let pending = false;
  let stopping = false;

  let lastHow: RunnerState['spare'] = 'none';
  const writeState = (how: RunnerState['spare']) => {
    lastHow = how;
    const state: RunnerState = { generation, pid: child.pid, sparePid: spare?.child.pid, spare: how, spareLoaded: spare?.loaded ?? false };
    writeFileSync(`${STATE_FILE}.tmp`, JSON.stringify(state));
    renameSync(`${STATE_FILE}.tmp`, STATE_FILE);
  };

  function spawnChild(args: string[], asSpare: boolean): ChildProcess {
    const stdio: Array<'inherit' | 'pipe' | 'ignore'> = asSpare ? ['pipe', 'inherit', 'inherit', 'pipe'] : ['ignore', 'inherit', 'inherit'];
    const started = spawn(process.execPath, args, { stdio });
    started.on('exit', (code, signal) => onExit(started, code, signal));
    return started;
  }

  function prepareSpare(): void {
    if (!spareAllowed || stopping || spare) return;
    const started = spawnChild(['--experimental-import-meta-resolve', ...nodeOptions, self, '--spare', main], true);
    const prepared: Spare = { child: started, loaded: false };
    started.stdio[3]!.on('data', () => {
      prepared.loaded = true;
      if (spare === prepared) writeState(lastHow);
    });
    started.stdio[3]!.on('error', () => undefined);
    started.stdin!.on('error', () => undefined);
    spare = prepared;
  }

  function onExit(ended: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (spare?.child === ended) {
      spare = undefined;
      return;
    }
    if (ended !== child || restarting) return;
    // The service ended on its own, or after SIGTERM: the container ends with it, as without the runner.
    spare?.child.kill('SIGKILL');
    process.exit(exitCode(code, signal));
  }

  async function restart(): Promise<void> {
    if (restarting || stopping) {
      pending = !stopping;
      return;
    }
    restarting = true;
    await stopChild(child);
    if (stopping) return process.exit(exitCode(child.exitCode, child.signalCode));
    const waiting = spare;
    spare = undefined;
    let how: RunnerState['spare'] = 'none';
    if (waiting && waiting.child.exitCode === null && waiting.child.signalCode === null) {
      waiting.child.stdin!.end('go\n');
      child = waiting.child;
      how = waiting.loaded ? 'warm' : 'loading';
    } else {
      child = spawnChild(command.slice(1), false);
    }
    generation += 1;
    restarting = false;
    writeState(how);
    whenListening(prepareSpare);
    if (pending) {
      pending = false;
      void restart();
    }
  }

  function shutdown(signal: NodeJS.Signals): void {
    stopping = true;
    spare?.child.kill('SIGKILL');
    if (!restarting) child.kill(signal);
  }

  process.on('SIGUSR2', () => void restart());
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  writeState('none');
  whenListening(prepareSpare);
}

/** SIGTERM, the service's own drain, SIGKILL after the stop grace; resolves once it has exited. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => (clearTimeout(force), done()));
    child.kill('SIGTERM');
  });
}

/** A child ended by a signal ends this process as a shell would say it (128 + its number): PID 1 cannot re-raise it. */
function exitCode(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? 128 + (signal ? constants.signals[signal] : 1);
}

/**
 * Calls `then` once something accepts connections on the service's PORT: the
 * next spare then loads while the service answers, not while it starts.
 */
function whenListening(then: () => void): void {
  const port = Number(process.env.PORT);
  if (!port) return void setTimeout(then, 2_000).unref();
  const deadline = Date.now() + 60_000;
  const attempt = () => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), then()));
    socket.once('error', () => {
      socket.destroy();
      if (Date.now() < deadline) setTimeout(attempt, 100).unref();
    });
  };
  attempt();
}

function dependencies(): string[] {
  try {
    return Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});
  } catch {
    return [];
  }
}

function eligible(): boolean {
  return !dependencies().some((name) => LOAD_FIRST.test(name));
}

/** The spare: dependencies loaded, then main imported on the go line; "loaded" told on fd 3 in between. */
async function runSpare(entry: string): Promise<void> {
  const main = resolve(entry);
  const go = new Promise<void>((done) => {
    const onData = (chunk: Buffer) => {
      if (!chunk.includes(10)) return;
      process.stdin.off('data', onData);
      done();
    };
    process.stdin.on('data', onData);
  });
  for (const name of dependencies()) {
    try {
      await import(import.meta.resolve(name, pathToFileURL(main).href));
    } catch {
      // types-only or CLI-only packages have nothing to import
    }
  }
  try {
    writeSync(3, 'loaded\n');
    closeSync(3);
  } catch {
    // the runner is gone: it killed this spare too, or will
  }
  await go;
  // The service gets no stdin, as without the runner (its container has none).
  process.stdin.destroy();
  // The service sees itself started as `node src/main.ts`.
  process.argv.splice(1, 3, main);
  await import(pathToFileURL(main).href);
}
