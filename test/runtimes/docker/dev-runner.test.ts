import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, REPO_ROOT } from '../../helpers/cli.js';

// msx's dev-container runner (src/runtimes/docker/dev-runner.ts, as built) on the host, in front of the
// command a dev image runs (`node --import tsx src/main.ts`), with a small service of its own: what it does
// with the service's process, its spare and the signals, without an engine (docker-watch-warm.test.ts runs
// it in a container). Needs the build (npm run build). msx has no tsx of its own, so the command's `--import` is a
// small hook here (the service answers with what it set: the spare got the image's node options too).
const RUNNER = join(REPO_ROOT, 'dist', 'runtimes', 'docker', 'dev-runner.js');
const PORT = 41410;

interface State {
  generation: number;
  pid?: number;
  sparePid?: number;
  spare: string;
  spareLoaded: boolean;
}

const service = (version: string) => `import { createServer } from 'node:http';
const server = createServer((_request, response) => response.end('${version} ' + globalThis.hooked + ' ' + process.pid));
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(JSON.stringify({ msg: 'listening', pid: process.pid })));
process.on('SIGTERM', () => server.close(() => (console.log(JSON.stringify({ msg: 'drained', pid: process.pid })), process.exit(0))));
`;

describe.skipIf(!existsSync(RUNNER))('the dev-container runner', () => {
  let dir: string;
  let runner: ChildProcess;
  let output = '';
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  const stateFile = () => join(dir, 'runner-state.json');
  const state = (): State | undefined => (existsSync(stateFile()) ? (JSON.parse(readFileSync(stateFile(), 'utf8')) as State) : undefined);
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const answer = async () => {
    try {
      return await (await fetch(`http://127.0.0.1:${PORT}/`)).text();
    } catch {
      return '';
    }
  };
  const waitFor = async (what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !(await condition())) await sleep(50);
    expect(await condition(), `${what}\n${output}`).toBe(true);
  };
  const start = () => {
    output = '';
    runner = spawn(process.execPath, [RUNNER, 'node', '--import', './src/hook.mjs', 'src/main.mjs'], { cwd: dir, env: { ...process.env, PORT: String(PORT), MSX_DEV_RUNNER_STATE: stateFile() }, stdio: ['ignore', 'pipe', 'pipe'] });
    runner.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    runner.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exit = new Promise((resolve) => runner.once('exit', (code, signal) => resolve({ code, signal })));
  };

  beforeAll(() => {
    dir = makeTempDir('msx-dev-runner-');
    mkdirSync(join(dir, 'src'));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'svc', type: 'module', dependencies: { zod: '*' } }));
    writeFileSync(join(dir, 'src', 'hook.mjs'), 'globalThis.hooked = "hooked";\n');
    writeFileSync(join(dir, 'src', 'main.mjs'), service('v1'));
  });

  afterAll(async () => {
    if (runner && runner.exitCode === null && runner.signalCode === null) {
      runner.kill('SIGKILL');
      await exit;
    }
    removeDir(dir);
  });

  it("runs the image's command as its child, its output unchanged; a spare loads beside it", { timeout: 90_000 }, async () => {
    start();
    await waitFor('the service to answer', async () => (await answer()).startsWith('v1 hooked '));
    await waitFor('the spare to load', () => state()?.spareLoaded === true);
    const { pid, sparePid } = state()!;
    expect(alive(sparePid!)).toBe(true);
    expect(await answer()).toBe(`v1 hooked ${pid}`);
    // The service's line as it wrote it: nothing added, nothing prefixed.
    expect(output.split('\n')).toContain(JSON.stringify({ msg: 'listening', pid }));
  });

  it('on SIGUSR2 drains the service and hands over to the spare, which runs the code as saved', { timeout: 90_000 }, async () => {
    const before = state()!;
    writeFileSync(join(dir, 'src', 'main.mjs'), service('v2'));
    runner.kill('SIGUSR2');
    await waitFor('the restart', () => (state()?.generation ?? 0) > before.generation);
    const after = state()!;
    expect(after).toMatchObject({ generation: before.generation + 1, spare: 'warm' });
    expect(output).toContain(JSON.stringify({ msg: 'drained', pid: before.pid }));
    await waitFor('the new code', async () => (await answer()) === `v2 hooked ${after.pid}`);
    expect(alive(before.pid!)).toBe(false);
    await waitFor('the next spare', () => state()?.spareLoaded === true);
  });

  it('a service that dies on its own ends the runner with its code (128 + signal), and its spare with it', { timeout: 90_000 }, async () => {
    const { pid, sparePid } = state()!;
    process.kill(pid!, 'SIGKILL');
    expect(await exit).toEqual({ code: 137, signal: null });
    await waitFor('the spare to go too', () => !alive(sparePid!), 5_000);
    expect(await answer()).toBe('');
  });

  it('SIGTERM goes to the service, the runner exits after it with its code; nothing is left', { timeout: 90_000 }, async () => {
    start();
    await waitFor('the spare to load', () => state()?.spareLoaded === true && state()?.generation === 0);
    const { pid, sparePid } = state()!;
    runner.kill('SIGTERM');
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(output).toContain(JSON.stringify({ msg: 'drained', pid }));
    expect(alive(pid!)).toBe(false);
    await waitFor('the spare to go too', () => !alive(sparePid!), 5_000);
  });
});
