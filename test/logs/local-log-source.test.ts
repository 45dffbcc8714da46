import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/logs/log-entry.js';
import { LocalLogSource } from '../../src/logs/local-log-source.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';
import { collect, pino, record, writeLogs } from './fixtures.js';

const ts = (ms: number) => new Date(Date.parse('2026-11-26T06:00:00.000Z') + ms).toISOString();
const line = (service: string, ms: number, msg: string) => `${record(service, ts(ms), pino({ service, time: ts(ms), msg }))}\n`;
const msgs = (entries: LogEntry[]) => entries.map((e) => e.fields?.msg ?? e.text);

describe('LocalLogSource', () => {
  let root: string;
  let dir: string;
  beforeEach(() => {
    root = makeTempDir();
    dir = writeLogs(root, { orders: [line('orders', 0, 'o1').trim()], stock: [line('stock', 1, 's1').trim()] });
    writeFileSync(join(dir, 'notes.txt'), 'not a log');
  });
  afterEach(() => removeDir(root));

  it('lists the services that have logs, and reads one in order', async () => {
    const source = new LocalLogSource(dir);
    expect(await source.services()).toEqual(['orders', 'stock']);
    expect(msgs(await collect(source.read('orders')))).toEqual(['o1']);
    expect(await collect(source.read('ghost'))).toEqual([]);
    expect(await new LocalLogSource(join(root, 'nowhere')).services()).toEqual([]);
  });

  it('follows from where reading stopped: new lines, a service that starts later, a truncated file; stops on abort', async () => {
    // Given everything there is now has been read
    const source = new LocalLogSource(dir, { pollMs: 20 });
    await collect(source.read('orders'));
    await collect(source.read('stock'));
    const stop = new AbortController();
    const batches: LogEntry[][] = [];
    const seen = { flat: () => batches.flatMap(msgs) };
    const following = (async () => {
      for await (const batch of source.follow({ signal: stop.signal })) batches.push(batch);
    })();
    // When lines are appended (one cut in two writes), a new service appears and a file is truncated
    appendFileSync(join(dir, 'stock.ndjson'), line('stock', 5, 's2') + line('stock', 3, 's-earlier').slice(0, 30));
    appendFileSync(join(dir, 'orders.ndjson'), line('orders', 4, 'o2'));
    await until(() => seen.flat().includes('o2') && seen.flat().includes('s2'));
    appendFileSync(join(dir, 'stock.ndjson'), line('stock', 3, 's-earlier').slice(30));
    writeFileSync(join(dir, 'mailer.ndjson'), line('mailer', 6, 'm1'));
    await until(() => seen.flat().includes('m1') && seen.flat().includes('s-earlier'));
    writeFileSync(join(dir, 'orders.ndjson'), line('orders', 7, 'o-after-truncate'));
    await until(() => seen.flat().includes('o-after-truncate'));
    stop.abort();
    await following;
    // Then each line came once, each batch in time order, and following ended
    expect(seen.flat().sort()).toEqual(['m1', 'o-after-truncate', 'o2', 's-earlier', 's2'].sort());
    for (const batch of batches) expect(batch.map((e) => e.time)).toEqual(batch.map((e) => e.time).sort((a, b) => a - b));
  });
});

async function until(done: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting for followed lines');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
