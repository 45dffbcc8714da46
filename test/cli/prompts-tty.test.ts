import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, MSX_BIN, removeDir, runCli, snapshotDir } from '../helpers/cli.js';

// `msx new service` on a real terminal: util-linux `script` gives the CLI a
// pseudo-terminal, and keys are typed into it once the question is on screen.
const hasScript = spawnSync('script', ['--version']).status === 0;

interface Terminal {
  child: ChildProcess;
  waitFor(text: string): Promise<void>;
  type(keys: string): void;
  exit: Promise<number>;
  screen(): string;
}

function openTerminal(cwd: string, args: string[]): Terminal {
  const { NODE_ENV: _testEnv, ...env } = process.env;
  const command = [process.execPath, MSX_BIN, ...args].map((word) => `'${word}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd, env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  let screen = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  const onData = (chunk: Buffer) => {
    screen += chunk.toString('utf8');
    for (const waiter of waiters.filter((w) => screen.includes(w.text))) waiter.resolve();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exit = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
  return {
    child,
    exit,
    screen: () => screen,
    type: (keys) => child.stdin!.write(keys),
    waitFor: (text) =>
      screen.includes(text)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ text, resolve });
            // A guard against a hang, not a timing assertion.
            exit.then(() => !screen.includes(text) && reject(new Error(`exited before "${text}" appeared:\n${screen}`)));
          }),
  };
}

describe.skipIf(!hasScript)('msx new service on a terminal', () => {
  let root: string;
  let terminal: Terminal | undefined;
  beforeAll(() => {
    root = makeTempDir();
    expect(runCli(['init', 'shop'], root).code).toBe(0);
    expect(runCli(['new', 'service', 'stock', '--kind', 'rest', '--context', 'warehouse'], join(root, 'shop')).code).toBe(0);
  });
  afterAll(() => {
    terminal?.child.kill('SIGKILL');
    removeDir(root);
  });

  it('refuses an existing name at its question, and Ctrl-C there is exit 130 with one line and nothing written', async () => {
    // Given
    const dir = join(root, 'shop');
    const before = snapshotDir(dir);
    terminal = openTerminal(dir, ['new', 'service']);
    // When
    await terminal.waitFor('Service name');
    terminal.type('stock\r');
    await terminal.waitFor('service "stock" already exists in msx.yaml');
    terminal.type('\x03');
    // Then
    expect(await terminal.exit).toBe(130);
    expect(terminal.screen()).toMatch(/error: interrupted/);
    expect(terminal.screen()).not.toMatch(/ExitPromptError|\n\s+at .+:\d+:\d+/);
    expect(snapshotDir(dir)).toEqual(before);
  });

  it('takes a free name and asks the next question; Ctrl-C at a choice is exit 130 too', async () => {
    // Given
    const dir = join(root, 'shop');
    const before = snapshotDir(dir);
    terminal = openTerminal(dir, ['new', 'service']);
    // When
    await terminal.waitFor('Service name');
    terminal.type('orders\r');
    await terminal.waitFor('Kind');
    terminal.type('\x03');
    // Then
    expect(await terminal.exit).toBe(130);
    expect(terminal.screen()).not.toMatch(/already exists/);
    expect(terminal.screen()).toMatch(/error: interrupted/);
    expect(snapshotDir(dir)).toEqual(before);
  });
});
