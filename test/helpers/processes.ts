import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

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

export async function freePort(): Promise<number> {
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
