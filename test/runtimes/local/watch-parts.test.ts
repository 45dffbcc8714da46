import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseSocketPath, forgetSocketPath, socketPathOf } from '../../../src/runtimes/local/control-socket.js';
import { debounced } from '../../../src/runtimes/watch/debounce.js';
import { ServiceIgnore } from '../../../src/runtimes/watch/ignore.js';
import { watchProblem } from '../../../src/runtimes/watch/workspace-watcher.js';
import { makeTempDir, removeDir } from '../../helpers/cli.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

describe('ServiceIgnore', () => {
  it('never node_modules, dist or .msx; the service .gitignore rules (folders with a slash); reload after an edit', () => {
    const dir = makeTempDir();
    dirs.push(dir);
    writeFileSync(join(dir, '.gitignore'), 'src/generated/\n*.tmp\n!keep.tmp\n');
    const ignore = new ServiceIgnore(dir);
    expect(ignore.ignores(join(dir, 'node_modules', 'x', 'index.js'))).toBe(true);
    expect(ignore.ignores(join(dir, 'dist'), true)).toBe(true);
    expect(ignore.ignores(join(dir, '.msx', 'logs'), true)).toBe(true);
    expect(ignore.ignores(join(dir, 'src', 'generated'), true)).toBe(true);
    expect(ignore.ignores(join(dir, 'src', 'generated'), false)).toBe(false);
    expect(ignore.ignores(join(dir, 'src', 'a.tmp'))).toBe(true);
    expect(ignore.ignores(join(dir, 'src', 'keep.tmp'))).toBe(false);
    expect(ignore.ignores(join(dir, 'src', 'main.ts'))).toBe(false);
    expect(ignore.ignores(dir, true)).toBe(false);
    writeFileSync(join(dir, '.gitignore'), 'src/main.ts\n');
    ignore.reload();
    expect(ignore.ignores(join(dir, 'src', 'main.ts'))).toBe(true);
    expect(ignore.ignores(join(dir, 'src', 'a.tmp'))).toBe(false);
  });
});

describe('debounced', () => {
  it('a burst is one run with every path; a change during a run gets one more run after it', async () => {
    // Given a quiet period of 20 ms (60 ms in a burst) and a run that waits until released
    const runs: string[][] = [];
    let release: () => void = () => undefined;
    const d = debounced(async (paths) => {
      runs.push(paths);
      if (runs.length === 1) await new Promise<void>((resolve) => (release = resolve));
    }, 20, 60);
    for (const p of ['a', 'b', 'a', 'c']) d.push(p);
    while (runs.length === 0) await sleep(5);
    expect(runs).toEqual([['a', 'b', 'c']]);
    d.push('d');
    d.push('e');
    await sleep(80);
    expect(runs).toHaveLength(1); // the first run still works
    release();
    while (runs.length < 2) await sleep(5);
    await d.idle();
    expect(runs).toEqual([['a', 'b', 'c'], ['d', 'e']]);
  });

  it('a change the run says it already read (before its cutoff) gets no second run', async () => {
    const runs: string[][] = [];
    let release: () => void = () => undefined;
    const d = debounced(async (paths) => {
      runs.push(paths);
      if (runs.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return Date.now();
    }, 20, 60);
    d.push('a');
    while (runs.length === 0) await sleep(5);
    d.push('b'); // while the first run works, well before its cutoff
    await sleep(40);
    release();
    await sleep(120);
    expect(runs).toEqual([['a']]);
  });

  it('a change is dated by the file, not by its late event: written before the cutoff, it gets no second run', async () => {
    // Given a run that works until released and says it read the files from `cutoff` on
    const dir = makeTempDir();
    dirs.push(dir);
    const [before, after] = [join(dir, 'before.ts'), join(dir, 'after.ts')];
    const runs: string[][] = [];
    let release: () => void = () => undefined;
    let cutoff = 0;
    const d = debounced(async (paths) => {
      runs.push(paths);
      if (runs.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return cutoff;
    }, 20, 60);
    d.push(join(dir, 'first.ts'));
    while (runs.length === 0) await sleep(5);
    // When one file is written before the cutoff and one after, and both events come after it (a loaded machine)
    writeFileSync(before, '1');
    await sleep(40);
    cutoff = Date.now();
    await sleep(40);
    writeFileSync(after, '2');
    d.push(before);
    d.push(after);
    release();
    while (runs.length < 2) await sleep(5);
    await d.idle();
    // Then only the later write runs again
    expect(runs.slice(1)).toEqual([[after]]);
  });
});

describe('watchProblem', () => {
  it('ENOSPC: one line naming the limit and the sysctl that raises it', () => {
    const line = watchProblem(Object.assign(new Error('watch ENOSPC'), { code: 'ENOSPC' }));
    expect(line).toMatch(/^file watch limit reached \(fs\.inotify\.max_user_watches=\d+\): raise it with `sysctl fs\.inotify\.max_user_watches=524288`/);
    expect(line).not.toContain('\n');
  });
});

describe('control socket path', () => {
  it('.msx/supervisor.sock when it fits; under a deep folder a short path, recorded for clients, forgotten after', () => {
    const shallow = makeTempDir();
    dirs.push(shallow);
    expect(chooseSocketPath(shallow)).toBe(join(shallow, '.msx', 'supervisor.sock'));
    expect(socketPathOf(shallow)).toBe(join(shallow, '.msx', 'supervisor.sock'));
    const deep = join(shallow, 'a'.repeat(60), 'b'.repeat(60));
    mkdirSync(deep, { recursive: true });
    const short = chooseSocketPath(deep);
    expect(Buffer.byteLength(short)).toBeLessThanOrEqual(107);
    expect(short).not.toContain(deep);
    expect(socketPathOf(deep)).toBe(short);
    forgetSocketPath(deep, short);
    expect(socketPathOf(deep)).toBe(join(deep, '.msx', 'supervisor.sock'));
  });
});

describe('debounced, with the watcher\'s events', () => {
  it('a file made and removed within one burst (an editor\'s temp file) is no change; alone it runs nothing', async () => {
    const runs: string[][] = [];
    const d = debounced(async (paths) => void runs.push(paths), 20, 40);
    d.push('src/.routes.ts.swp', 'add');
    d.push('src/routes.ts', 'change');
    d.push('src/.routes.ts.swp', 'unlink');
    await sleep(100);
    expect(runs).toEqual([['src/routes.ts']]);
    d.push('src/sed123', 'add');
    d.push('src/sed123', 'unlink');
    await sleep(100);
    expect(runs).toHaveLength(1);
    // A file that was there before and is removed is a change.
    d.push('src/old.ts', 'unlink');
    await sleep(100);
    expect(runs).toEqual([['src/routes.ts'], ['src/old.ts']]);
  });
});
