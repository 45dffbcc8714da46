import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { msxFile } from '../../src/state/paths.js';
import { withServiceLock, withServiceLocks } from '../../src/state/service-lock.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));
const temp = () => {
  const dir = makeTempDir('msx-lock-');
  dirs.push(dir);
  return dir;
};

describe('withServiceLock', () => {
  it('a second action on the service waits for the first and says what it waits for; another service does not wait', async () => {
    // Given a watch update holding alpha's lock for 150 ms
    const root = temp();
    const order: string[] = [];
    const waits: string[] = [];
    const update = withServiceLock(root, 'alpha', 'a watch update', async () => {
      order.push('update begins');
      await sleep(150);
      order.push('update ends');
    });
    await sleep(20);
    // When a restart of alpha and one of beta arrive meanwhile
    const restart = withServiceLock(root, 'alpha', 'msx restart', async () => void order.push('restart'), (holder) => waits.push(holder));
    const other = withServiceLock(root, 'beta', 'msx restart', async () => void order.push('beta restart'));
    await Promise.all([update, restart, other]);
    // Then alpha's restart ran after the update, beta's at once
    expect(order).toEqual(['update begins', 'beta restart', 'update ends', 'restart']);
    expect(waits).toEqual(['a watch update']);
  });

  it('a lock left by a process that died is taken over; a throw releases the lock', async () => {
    const root = temp();
    const file = msxFile.serviceLock(root, 'alpha');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ pid: 2 ** 22 + 12345, what: 'a watch update' }));
    await expect(withServiceLock(root, 'alpha', 'msx restart', async () => 'ran')).resolves.toBe('ran');
    await expect(withServiceLock(root, 'alpha', 'msx restart', async () => Promise.reject(new Error('engine refused')))).rejects.toThrow('engine refused');
    await expect(withServiceLock(root, 'alpha', 'msx restart', async () => 'again')).resolves.toBe('again');
  });

  it('several locks at once: each of them waits for the holder, then all are released', async () => {
    const root = temp();
    const order: string[] = [];
    const reload = withServiceLocks(root, ['beta', 'alpha'], 'a watch update (msx.yaml)', async () => {
      order.push('reload');
      await sleep(100);
    });
    await sleep(20);
    await Promise.all([reload, withServiceLock(root, 'beta', 'msx restart', async () => void order.push('beta restart'))]);
    expect(order).toEqual(['reload', 'beta restart']);
    await expect(withServiceLocks(root, ['alpha', 'beta'], 'x', async () => 'free')).resolves.toBe('free');
  });
});
