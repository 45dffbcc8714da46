import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/logs/log-entry.js';
import { mergeByTime } from '../../src/logs/merge.js';
import { collect, entry } from './fixtures.js';

async function* batches(entries: LogEntry[], size: number, closed?: { value: boolean }): AsyncGenerator<LogEntry[]> {
  try {
    yield []; // sources may yield empty batches
    for (let i = 0; i < entries.length; i += size) yield entries.slice(i, i + size);
  } finally {
    if (closed) closed.value = true;
  }
}

const at = (service: string, times: number[]) => times.map((t) => entry(service, t, { msg: `${service}@${t}` }));

describe('mergeByTime: a k-way merge of per-service streams', () => {
  it('orders 3 services with interleaved times, whatever the batch sizes', async () => {
    const orders = at('orders', [1, 4, 7, 10, 13]);
    const stock = at('stock', [2, 3, 8, 9, 14, 15]);
    const mailer = at('mailer', [5, 6, 11, 12]);
    for (const size of [1, 2, 5, 100]) {
      const merged = await collect(mergeByTime([batches(orders, size), batches(stock, size + 1), batches(mailer, size)], 4));
      expect(merged.map((e) => e.time)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    }
  });

  it('keeps stream order for equal times, and each stream own order', async () => {
    const a = [entry('a', 5, { msg: 'a1' }), entry('a', 5, { msg: 'a2' })];
    const b = [entry('b', 5, { msg: 'b1' })];
    const merged = await collect(mergeByTime([batches(b, 1), batches(a, 1)]));
    expect(merged.map((e) => e.fields?.msg)).toEqual(['b1', 'a1', 'a2']);
  });

  it('yields bounded batches, and handles empty and missing streams', async () => {
    const seen: number[] = [];
    for await (const batch of mergeByTime([batches(at('a', [1, 2, 3, 4, 5]), 5), batches([], 1)], 2)) seen.push(batch.length);
    expect(seen).toEqual([2, 2, 1]);
    expect(await collect(mergeByTime([]))).toEqual([]);
  });

  it('closes every stream when the reader stops early (Ctrl-C, closed pipe)', async () => {
    const closed = [{ value: false }, { value: false }];
    const merged = mergeByTime([batches(at('a', [1, 3, 5]), 1, closed[0]), batches(at('b', [2, 4, 6]), 1, closed[1])], 1);
    for await (const batch of merged) {
      expect(batch).toHaveLength(1);
      break;
    }
    expect(closed.map((c) => c.value)).toEqual([true, true]);
  });
});
