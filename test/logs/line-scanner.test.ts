import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryFilter, filterBatches } from '../../src/logs/filters.js';
import { LocalLogSource } from '../../src/logs/local-log-source.js';
import { scanLines, type ScanCursor } from '../../src/logs/line-scanner.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';
import { collect, OTHER_TRACE, pino, record, TRACE, writeLogs } from './fixtures.js';

const CHUNK_SIZES = [7, 16, 33, 64, 100, 257, 1 << 20];

describe('scanLines: whole lines from any chunk size, memory of two chunks', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir();
  });
  afterAll(() => removeDir(root));

  it.each(CHUNK_SIZES)('returns every line, including lines longer than a chunk (chunk %i)', async (chunkSize) => {
    const lines = ['short', 'x'.repeat(300), 'ünïcødé ✓ across chunk edges', '', 'last'];
    const file = join(root, `all-${chunkSize}.ndjson`);
    writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
    const cursor: ScanCursor = { offset: 0 };
    expect(await collect(scanLines(file, { start: 0, chunkSize }, cursor))).toEqual(lines.filter((l) => l !== ''));
    expect(cursor.offset).toBe(Buffer.byteLength(lines.map((l) => `${l}\n`).join('')));
  });

  it('leaves a line not yet ended for later, and goes on from there', async () => {
    const file = join(root, 'partial.ndjson');
    writeFileSync(file, 'one\ntwo\nthr');
    const cursor: ScanCursor = { offset: 0 };
    expect(await collect(scanLines(file, { start: 0, chunkSize: 4 }, cursor))).toEqual(['one', 'two']);
    expect(cursor.offset).toBe(8);
    appendFileSync(file, 'ee\n');
    expect(await collect(scanLines(file, { start: cursor.offset }, cursor))).toEqual(['three']);
  });

  it('has no lines for a file that does not exist', async () => {
    expect(await collect(scanLines(join(root, 'missing.ndjson'), { start: 0 }, { offset: 0 }))).toEqual([]);
  });
});

describe('the --trace-id fast path gives exactly what a full read and filter give', () => {
  let root: string;
  let dir: string;
  beforeAll(() => {
    root = makeTempDir();
    dir = writeLogs(root, { payments: mixedLines() });
  });
  afterAll(() => removeDir(root));

  it.each(CHUNK_SIZES)('chunk %i', async (chunkSize) => {
    const keep = entryFilter({ traceId: TRACE });
    const full = await collect(filterBatches(new LocalLogSource(dir, { chunkSize }).read('payments'), keep));
    const fast = await collect(filterBatches(new LocalLogSource(dir, { chunkSize }).read('payments', { needle: TRACE }), keep));
    expect(full.length).toBe(5);
    expect(full.some((e) => e.stack)).toBe(true);
    expect(fast).toEqual(full);
    // And the scanner alone, at this chunk size, keeps the matches and their stacks but skips the rest.
    const picked = await collect(scanLines(join(dir, 'payments.ndjson'), { start: 0, needle: TRACE, chunkSize }, { offset: 0 }));
    expect(picked.filter((l) => l.includes(TRACE))).toHaveLength(6);
    expect(picked.some((l) => l.includes(OTHER_TRACE))).toBe(false);
    expect(picked).toContain(record('payments', '2026-11-26T06:00:00.012Z', '    at charge (/app/src/payments.ts:42:11)'));
  });
});

/** Lines of two traces, stack traces after some, a plain line naming the trace, a stderr stack. */
function mixedLines(): string[] {
  const ts = (ms: number) => new Date(Date.parse('2026-11-26T06:00:00.000Z') + ms).toISOString();
  const line = (ms: number, trace: string, msg: string, level = 'info') =>
    record('payments', ts(ms), pino({ service: 'payments', time: ts(ms), trace, span: 'aaaaaaaaaaaaaaaa', level, msg }));
  return [
    record('payments', ts(0), 'Server listening on :3000'),
    line(1, TRACE, 'incoming request'),
    line(2, OTHER_TRACE, 'incoming request'),
    line(3, OTHER_TRACE, 'failed', 'error'),
    record('payments', ts(4), 'Error: other'),
    record('payments', ts(4), '    at other (/app/x.ts:1:1)'),
    line(10, TRACE, 'payment failed', 'error'),
    record('payments', ts(11), 'Error: card declined'),
    record('payments', ts(12), '    at charge (/app/src/payments.ts:42:11)'),
    record('payments', ts(13), `    at plain line that names ${TRACE} but belongs to the line above`),
    line(14, OTHER_TRACE, 'between'),
    record('payments', ts(15), `a plain line naming ${TRACE} on its own`),
    line(16, TRACE, 'retrying'),
    record('payments', ts(17), '    at a stack on stderr (/app/y.ts:2:2)', 'stderr'),
    line(18, TRACE, 'request completed'),
    line(19, TRACE, 'last line', 'warn'),
    record('payments', ts(20), '    at the very end (/app/z.ts:3:3)'),
  ];
}
