import { appendFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalLogSource } from '../../src/logs/local-log-source.js';
import { rangesToRead } from '../../src/state/trace-index.js';
import { ServiceLogFile } from '../../src/state/log-file.js';
import { toLogLine } from '../../src/state/log-record.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';
import { collect, OTHER_TRACE, TRACE } from '../logs/fixtures.js';

const start = Date.parse('2026-11-26T06:00:00.000Z');
const hex = (n: number, seed: number) => (seed.toString(16).padStart(8, '0') + 'a5c3e1f0b2d4968779').repeat(4).slice(0, n);

/** A pino-like line of the service, about 250 bytes with the record around it. */
function jsonLine(i: number, trace: string, msg = 'request completed'): string {
  const time = new Date(start + i).toISOString();
  return JSON.stringify({ level: 'info', time, service: 'orders', trace_id: trace, span_id: hex(16, i), method: 'GET', url: `/orders/${i}`, status: 200, msg });
}

/** Writes `count` lines through the local runtime's writer; `special` lines (by index) replace the filler. */
async function writeThroughRuntime(dir: string, count: number, special: Record<number, string[]> = {}, close = true): Promise<void> {
  const file = new ServiceLogFile(dir, 'orders');
  for (let i = 0; i < count; i++) {
    for (const text of special[i] ?? [jsonLine(i, hex(32, i))]) file.write(toLogLine('orders', 'stdout', text));
  }
  if (close) await file.close();
  else await written(join(dir, 'orders.ndjson'), count); // the stream writes what it has, the index record of the last block never
}

/** Waits until the stream has written `lines` lines (a fixed sleep is too short on a loaded machine). */
async function written(path: string, lines: number): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    if (existsSync(path) && readFileSync(path, 'utf8').split('\n').length - 1 >= lines) return;
    await new Promise<void>((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${path} never reached ${lines} lines`);
}

const messages = async (dir: string, trace: string) =>
  (await collect(new LocalLogSource(dir).read('orders', { needle: trace }))).filter((e) => e.fields?.trace_id === trace).map((e) => ({ msg: e.fields?.msg, stack: e.stack }));

describe('trace index beside each log file', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(makeTempDir(), '.msx', 'logs');
  });
  afterEach(() => removeDir(join(dir, '..', '..')));

  it('reads only the blocks that may hold the trace, and finds every line of it, a stack trace cut by a block end included', async () => {
    // Given 30,000 lines (blocks of at most 1 MiB); the trace has a line near the start and an error whose
    // stack trace is longer than a block, so a block ends inside it
    const stack = Array.from({ length: 12_000 }, (_, i) => `    at frame${i} (/app/src/orders.ts:${i}:1)`);
    await writeThroughRuntime(dir, 30_000, {
      100: [jsonLine(100, TRACE, 'incoming request')],
      4_100: [jsonLine(4_100, TRACE, 'payment failed'), 'Error: card declined', ...stack],
    });
    const size = statSync(join(dir, 'orders.ndjson')).size;
    // When the trace is looked up
    const ranges = await rangesToRead(join(dir, 'orders.tidx'), TRACE, 0, size, statSync(join(dir, 'orders.ndjson')));
    const found = await messages(dir, TRACE);
    // Then far less than the file is read, and the lines are exactly those a full read finds
    const read = ranges!.reduce((sum, [s, e]) => sum + (e - s), 0);
    expect(size).toBeGreaterThan(8 << 20);
    expect(read).toBeLessThan(size / 2);
    expect(found.map((f) => f.msg)).toEqual(['incoming request', 'payment failed']);
    expect(found[1].stack).toEqual(['Error: card declined', ...stack]);
    rmSync(join(dir, 'orders.tidx'));
    expect(await messages(dir, TRACE)).toEqual(found);
    expect(await messages(dir, OTHER_TRACE)).toEqual([]);
  });

  it('reads in full what the index does not cover: a writer that died before its last record, bytes appended by others', async () => {
    // Given a writer that never closed (no record for its last block), then lines appended without the index
    await writeThroughRuntime(dir, 5_000, { 4_990: [jsonLine(4_990, TRACE, 'late line')] }, false);
    appendFileSync(join(dir, 'orders.ndjson'), `{"ts":"${new Date(start).toISOString()}","service":"orders","stream":"stdout","line":${jsonLine(6_000, TRACE, 'appended by hand')}}\n`);
    // Then both are found
    expect((await messages(dir, TRACE)).map((f) => f.msg)).toEqual(['late line', 'appended by hand']);
  });

  it('starts the index over when the log file is new, and ignores an index of another file', async () => {
    // Given logs with the trace, then the log file replaced by one without it and written again
    await writeThroughRuntime(dir, 3_000, { 10: [jsonLine(10, TRACE, 'first run')] });
    const oldIndex = readFileSync(join(dir, 'orders.tidx'));
    rmSync(join(dir, 'orders.ndjson'));
    await writeThroughRuntime(dir, 3_000, { 20: [jsonLine(20, OTHER_TRACE, 'second run')] });
    // Then the new index knows only the new file's traces
    expect(await messages(dir, TRACE)).toEqual([]);
    expect((await messages(dir, OTHER_TRACE)).map((f) => f.msg)).toEqual(['second run']);
    // And when an index of another file sits beside it, the whole file is read: nothing is hidden
    writeFileSync(join(dir, 'orders.tidx'), oldIndex);
    const size = statSync(join(dir, 'orders.ndjson')).size;
    expect(await rangesToRead(join(dir, 'orders.tidx'), OTHER_TRACE, 0, size, statSync(join(dir, 'orders.ndjson')))).toBeUndefined();
    expect((await messages(dir, OTHER_TRACE)).map((f) => f.msg)).toEqual(['second run']);
  });

  it('follows on from the end after an indexed read, so nothing is shown twice', async () => {
    await writeThroughRuntime(dir, 5_000, { 10: [jsonLine(10, TRACE, 'before')] });
    const source = new LocalLogSource(dir, { pollMs: 10 });
    expect((await collect(source.read('orders', { needle: TRACE }))).map((e) => e.fields?.msg)).toEqual(['before']);
    appendFileSync(join(dir, 'orders.ndjson'), `{"ts":"${new Date(start).toISOString()}","service":"orders","stream":"stdout","line":${jsonLine(7_000, TRACE, 'after')}}\n`);
    const stop = new AbortController();
    const seen: unknown[] = [];
    for await (const batch of source.follow({ needle: TRACE, signal: stop.signal })) {
      seen.push(...batch.filter((e) => e.fields?.trace_id === TRACE).map((e) => e.fields?.msg));
      if (seen.length > 0) stop.abort();
    }
    expect(seen).toEqual(['after']);
  });
});
