import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContainerDetails } from '../../../src/docker/docker-client.js';
import { recordReload, restartsAndLastExit, readReloads } from '../../../src/runtimes/docker/reload-record.js';
import { ignoreRules } from '../../../src/runtimes/docker/watch.js';
import { makeTempDir, removeDir } from '../../helpers/cli.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));
const temp = () => {
  const dir = makeTempDir('msx-live-update-');
  dirs.push(dir);
  return dir;
};

describe('what the docker watcher ignores', () => {
  const dir = temp();
  writeFileSync(join(dir, '.gitignore'), 'node_modules/\n*.log\n/generated\nsrc/scratch/\n# a comment\n');
  writeFileSync(join(dir, '.dockerignore'), 'Dockerfile\n.dockerignore\ntest\n*.md\n');
  const ignored = ignoreRules(dir);

  it('never node_modules, dist, .msx or .git, at any depth', () => {
    for (const path of ['node_modules/x/index.js', 'src/node_modules/y.js', 'dist/main.js', '.git/HEAD', '.msx/logs/a.ndjson']) expect(ignored(path), path).toBe(true);
  });

  it('reads .gitignore as git does: a pattern without a slash at any depth, a leading slash at the root only', () => {
    expect(ignored('src/http/debug.log')).toBe(true);
    expect(ignored('generated')).toBe(true);
    expect(ignored('src/generated')).toBe(false);
    expect(ignored('src/scratch/a.ts')).toBe(true);
  });

  it('skips what .dockerignore keeps out of the image, but never the files an image is built from', () => {
    expect(ignored('test/a.test.ts')).toBe(true);
    expect(ignored('README.md')).toBe(true);
    for (const path of ['Dockerfile', '.dockerignore', 'package.json', 'package-lock.json', 'src/http/resource-routes.ts', 'tsconfig.json', '']) {
      expect(ignored(path), path).toBe(false);
    }
  });
});

describe("msx's own record of what it did to a container", () => {
  const details = (over: Partial<ContainerDetails>): ContainerDetails => ({
    id: 'c1', running: true, restarting: false, exitCode: 0, restartCount: 0, startedAt: '2026-12-01T10:00:00Z', finishedAt: '0001-01-01T00:00:00Z', pid: 7, workingDir: '/app', ...over,
  });

  it('counts msx restarts and Docker restarts since, across a restart that resets RestartCount', () => {
    const root = temp();
    mkdirSync(join(root, '.msx'));
    // Docker restarted it twice (a crash loop), then msx restarted it: Docker's counter starts over at 0.
    const crashed = details({ restartCount: 2, finishedAt: '2026-12-01T10:01:00Z' });
    expect(restartsAndLastExit(crashed, undefined)).toEqual({ restarts: 2, lastExit: 'crashed; Docker restarted it' });
    const afterRestart = details({ restartCount: 0, finishedAt: '2026-12-01T10:02:00Z' });
    const entry = recordReload(root, afterRestart, { priorRestarts: 2, lastExit: 'restarted by msx restart', counts: true });
    expect(restartsAndLastExit(afterRestart, entry)).toEqual({ restarts: 3, lastExit: 'restarted by msx restart' });
    // Then it crashed once more and Docker restarted it: its own exit, not msx's.
    const again = details({ restartCount: 1, finishedAt: '2026-12-01T10:03:00Z' });
    expect(restartsAndLastExit(again, readReloads(root).c1)).toEqual({ restarts: 4, lastExit: 'crashed; Docker restarted it' });
  });

  it('a stop does not reset Docker\'s counter: stop then start counts nothing twice', () => {
    const root = temp();
    const stopped = details({ running: false, restartCount: 1, exitCode: 0, finishedAt: '2026-12-01T10:05:00Z' });
    const entry = recordReload(root, stopped, { priorRestarts: 1, lastExit: 'stopped by msx stop', counts: false });
    expect(restartsAndLastExit(stopped, entry)).toEqual({ restarts: 1, lastExit: 'stopped by msx stop' });
    const started = details({ restartCount: 0, finishedAt: '2026-12-01T10:05:00Z' });
    const next = recordReload(root, started, { priorRestarts: restartsAndLastExit(stopped, entry).restarts, lastExit: 'started by msx start', counts: false });
    expect(restartsAndLastExit(started, next).restarts).toBe(1);
  });

  it('an exit that was not msx\'s is said by its code', () => {
    const exited = details({ running: false, exitCode: 1, finishedAt: '2026-12-01T10:09:00Z' });
    expect(restartsAndLastExit(exited, { restarts: 0, lastExit: 'restarted by msx restart', finishedAt: '2026-12-01T10:00:00Z' })).toEqual({ restarts: 0, lastExit: 'exit code 1' });
  });
});
