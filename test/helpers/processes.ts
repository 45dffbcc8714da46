import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, statSync, utimesSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs a command to completion; throws with its output tail when it fails. */
export function mustRun(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const { NODE_ENV: _vitest, ...clean } = process.env;
  const result = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...clean, NO_COLOR: '1', ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.split('\n').slice(-40).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} exited ${result.status} in ${cwd}\n${tail}`);
  }
  return result.stdout;
}

export function npmInstall(dir: string): void {
  mustRun('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], dir);
}

function probePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// A port is handed out once per run: the kernel gives a closed port-0 listener's number out again,
// and a test that writes a port into msx.yaml binds it only later (CI once got 43001 twice in a row,
// "--port 43001 is already used by service orders"). The claims are files, so the two vitest
// workers never share a port either; a claim older than CLAIM_MS is taken to be a finished run's.
const CLAIMS = join(tmpdir(), 'msx-test-ports');
const CLAIM_MS = 30 * 60_000;

function claim(port: number): boolean {
  const file = join(CLAIMS, String(port));
  try {
    closeSync(openSync(file, 'wx'));
    return true;
  } catch {
    try {
      if (Date.now() - statSync(file).mtimeMs < CLAIM_MS) return false;
      utimesSync(file, new Date(), new Date());
      return true;
    } catch {
      return false;
    }
  }
}

/** A free 127.0.0.1 port that no other call in this run (in any worker) has been given. */
export async function freePort(): Promise<number> {
  mkdirSync(CLAIMS, { recursive: true });
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = await probePort();
    if (claim(port)) return port;
  }
  throw new Error(`freePort: 200 free ports in a row were already handed out (claims in ${CLAIMS})`);
}

export interface StartedProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts a long-running process in its own process group, collecting its output. */
export function startProcess(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): StartedProcess {
  const { NODE_ENV: _vitest, ...clean } = process.env;
  const child = spawn(cmd, args, { cwd, env: { ...clean, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Kills a whole process group; safe to call twice or after it exited. */
export function killGroup(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Polls a URL until it answers with `status`, for at most `attempts` tries. */
export async function waitForStatus(url: string, status = 200, attempts = 150): Promise<void> {
  for (let i = 0; i < attempts; i += 1) {
    try {
      const response = await fetch(url);
      if (response.status === status) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} never answered ${status}`);
}
