import { open, readFile } from 'node:fs/promises';
import { spanSegmentPath, spanSummaryPath, spansDir } from './paths.js';
import type { SpanRecord, TraceQuery, TraceSummary } from './span-store.js';
import { addSpan, encodeSummary, forEachSummary, segmentNumbers, SUMMARY_MAGIC, type PartialSummary } from './span-store-summary.js';
import { TraceTable } from './span-store-table.js';

/**
 * The traces stored under `.msx/spans/` that match `query`, summed over all
 * their spans: recent first (or slowest first), at most `limit` (default 20).
 * Reads the fixed-size summaries, and in full only what they do not cover.
 */
export async function listTraces(root: string, query: TraceQuery = {}): Promise<TraceSummary[]> {
  const dir = spansDir(root);
  const segments = segmentNumbers(dir);
  const summaries = await Promise.all(segments.map((segment) => readFile(spanSummaryPath(dir, segment)).catch(() => undefined)));
  const table = new TraceTable(summaries.reduce((sum, bytes) => sum + (bytes?.length ?? 0), 0));
  for (const [i, segment] of segments.entries()) {
    const bytes = summaries[i];
    const covered = bytes ? table.add(bytes) : 0;
    const tail = await summariseTail(spanSegmentPath(dir, segment), covered);
    if (tail.length > 0) table.add(Buffer.concat([Buffer.from(SUMMARY_MAGIC), ...tail.map((part) => encodeSummary(part, 0))]));
  }
  return table.select(query);
}

/** The spans of one trace, in start order (a span sent twice, by an exporter's retry, once). */
export async function readTrace(root: string, traceId: string): Promise<SpanRecord[]> {
  const id = traceId.toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id)) return [];
  const dir = spansDir(root);
  const key = Buffer.from(id, 'hex');
  const spans = new Map<string, SpanRecord>();
  for (const segment of segmentNumbers(dir)) {
    const summaries = await readFile(spanSummaryPath(dir, segment)).catch(() => undefined);
    const ranges: Array<[number, number]> = [];
    let covered = 0;
    if (summaries) {
      forEachSummary(summaries, (at) => {
        covered = Math.max(covered, summaries.readDoubleLE(at + 52));
        if (summaries.compare(key, 0, 16, at + 4, at + 20) === 0) ranges.push([summaries.readDoubleLE(at + 36), summaries.readDoubleLE(at + 44)]);
      });
    }
    ranges.push([covered, Infinity]);
    for (const span of await spansIn(spanSegmentPath(dir, segment), ranges, `"traceId":"${id}"`)) {
      if (span.traceId === id && !spans.has(span.spanId)) spans.set(span.spanId, span);
    }
  }
  return [...spans.values()].sort((a, b) => a.startMs - b.startMs);
}

/** Summaries of the spans past `covered` (not yet summarised by the writer). */
async function summariseTail(path: string, covered: number): Promise<PartialSummary[]> {
  const parts = new Map<string, PartialSummary>();
  await eachLine(path, [[covered, Infinity]], (line, offset, end) => {
    const span = parseSpan(line);
    if (span) addSpan(parts, span, offset, end);
  });
  return [...parts.values()];
}

async function spansIn(path: string, ranges: Array<[number, number]>, needle: string): Promise<SpanRecord[]> {
  const spans: SpanRecord[] = [];
  await eachLine(path, ranges, (line) => {
    if (!line.includes(needle)) return;
    const span = parseSpan(line);
    if (span) spans.push(span);
  });
  return spans;
}

/** Each whole line (newline-terminated) that starts inside one of the ranges; a missing file has none. */
async function eachLine(path: string, ranges: Array<[number, number]>, each: (line: string, offset: number, end: number) => void): Promise<void> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    const size = (await handle.stat()).size;
    for (const [start, rangeEnd] of ranges) {
      const end = Math.min(rangeEnd, size);
      if (end <= start) continue;
      const buffer = Buffer.allocUnsafe(end - start);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
      const bytes = buffer.subarray(0, bytesRead);
      let from = 0;
      for (let newline = bytes.indexOf(10, 0); newline >= 0; newline = bytes.indexOf(10, from)) {
        each(bytes.toString('utf8', from, newline), start + from, start + newline + 1);
        from = newline + 1;
      }
    }
  } finally {
    await handle.close();
  }
}

function parseSpan(line: string): SpanRecord | undefined {
  try {
    const span = JSON.parse(line) as SpanRecord;
    return typeof span.traceId === 'string' && typeof span.spanId === 'string' && typeof span.startMs === 'number' ? span : undefined;
  } catch {
    return undefined;
  }
}
