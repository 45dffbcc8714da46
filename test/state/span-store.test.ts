import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spanSegmentPath, spanSummaryPath, spansDir } from '../../src/state/paths.js';
import { listTraces, readTrace, SpanStoreWriter, type SpanRecord } from '../../src/state/span-store.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const traceId = (n: number) => n.toString(16).padStart(32, '0');
const spanId = (trace: number, n: number) => (trace * 100 + n).toString(16).padStart(16, '0');

function span(trace: number, n: number, over: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId: traceId(trace),
    spanId: spanId(trace, n),
    ...(n > 0 ? { parentSpanId: spanId(trace, 0) } : {}),
    service: n === 0 ? 'orders' : 'stock',
    name: n === 0 ? 'GET /orders/:id' : 'stock.Stock/Reserve',
    kind: n === 0 ? 'server' : 'client',
    startMs: T0 + trace * 1000 + n,
    durationMs: 10 - n,
    status: { code: 'unset' },
    attributes: { 'http.route': '/orders/:id' },
    events: [],
    resource: { 'service.name': n === 0 ? 'orders' : 'stock' },
    ...over,
  };
}

describe('span store', () => {
  let root: string;
  beforeEach(() => {
    root = makeTempDir();
  });
  afterEach(() => removeDir(root));

  it('sums a trace over flushed summaries and the unsummarised tail alike', async () => {
    // Given a trace whose root arrives in one flush and its children after it, not yet flushed
    const writer = new SpanStoreWriter(root, { flushIntervalMs: 0 });
    writer.append([span(1, 0), span(2, 0)]);
    writer.flush();
    writer.append([span(1, 1), span(1, 2, { status: { code: 'error', message: 'out of stock' } })]);

    // When the traces are listed while the writer is still writing
    const live = await listTraces(root);

    // Then the trace is complete: the tail past the last flush is read too
    expect(live.map((t) => t.traceId)).toEqual([traceId(2), traceId(1)]);
    expect(live[1]).toEqual({
      traceId: traceId(1),
      root: { name: 'GET /orders/:id', service: 'orders' },
      services: ['orders', 'stock'],
      startMs: T0 + 1000,
      durationMs: 10,
      errorCount: 1,
      spanCount: 3,
    });
    writer.close();
    expect(await listTraces(root)).toEqual(live);
    expect((await readTrace(root, traceId(1))).map((s) => s.spanId)).toEqual([0, 1, 2].map((n) => spanId(1, n)));
  });

  it('without a span with no parent, names the earliest span as root, marked parentOutside, across flushes', async () => {
    // Given a trace entered from outside msx (curl sent a traceparent): every span has a parent,
    // the entry span's parent is not stored; its children arrive in an earlier flush than it does
    const outside = 'ffffffffffffffff';
    const writer = new SpanStoreWriter(root, { flushIntervalMs: 0 });
    writer.append([span(3, 1), span(3, 2)]);
    writer.flush();
    writer.append([span(3, 0, { parentSpanId: outside })]);
    writer.flush();
    // and another whose real root comes last, after a stand-in was stored for it
    writer.append([span(4, 1)]);
    writer.flush();
    writer.append([span(4, 0)]);
    writer.close();

    // When the traces are listed
    const [fourth, third] = await listTraces(root);

    // Then the entry span (the earliest) is the root, marked as having its parent outside,
    // and a real root, once here, wins over the stand-in
    expect(third.root).toEqual({ name: 'GET /orders/:id', service: 'orders', parentOutside: true });
    expect(third.spanCount).toBe(3);
    expect(fourth.root).toEqual({ name: 'GET /orders/:id', service: 'orders' });
  });

  it('filters by service, start, errors, orders by duration and limits', async () => {
    const writer = new SpanStoreWriter(root, { flushIntervalMs: 0 });
    for (let t = 1; t <= 30; t++) {
      const children = t % 3 === 0 ? [span(t, 1, { durationMs: t, status: t % 2 ? { code: 'error' } : { code: 'ok' } })] : [];
      writer.append([span(t, 0, { durationMs: t % 7 }), ...children]);
      if (t % 4 === 0) writer.flush();
    }
    writer.close();

    expect((await listTraces(root)).length).toBe(20);
    expect((await listTraces(root, { limit: 0 })).length).toBe(30);
    expect((await listTraces(root, { limit: 3 })).map((t) => t.traceId)).toEqual([30, 29, 28].map(traceId));
    const withStock = await listTraces(root, { service: 'stock', limit: 0 });
    expect(withStock.map((t) => t.traceId)).toEqual([30, 27, 24, 21, 18, 15, 12, 9, 6, 3].map(traceId));
    expect((await listTraces(root, { errors: true, limit: 0 })).map((t) => t.traceId)).toEqual([27, 21, 15, 9, 3].map(traceId));
    expect((await listTraces(root, { sinceMs: T0 + 28_000, limit: 0 })).map((t) => t.traceId)).toEqual([30, 29, 28].map(traceId));
    // Durations: a trace spans its earliest start to its latest end (the child of trace 30 ends at +1 + 30 ms)
    const slowest = await listTraces(root, { order: 'slowest', limit: 2 });
    expect(slowest.map((t) => [t.traceId, t.durationMs])).toEqual([[traceId(30), 31], [traceId(27), 28]]);
  });

  it('reads one trace from the byte ranges its summaries name, across writers and segments', async () => {
    const first = new SpanStoreWriter(root, { flushIntervalMs: 0, segmentBytes: 2000 });
    for (let t = 1; t <= 20; t++) first.append([span(t, 0)]);
    first.append([span(5, 1)]);
    first.close();
    const second = new SpanStoreWriter(root, { flushIntervalMs: 0 });
    second.append([span(5, 2), span(5, 1)]); // the exporter's retry sends span 1 again
    second.close();

    const segments = readdirSync(spansDir(root)).filter((name) => name.endsWith('.ndjson'));
    expect(segments.length).toBeGreaterThan(2);
    const spans = await readTrace(root, traceId(5).toUpperCase());
    expect(spans.map((s) => s.spanId)).toEqual([0, 1, 2].map((n) => spanId(5, n)));
    expect(spans[0]).toEqual(span(5, 0));
    expect(await readTrace(root, traceId(99))).toEqual([]);
    expect(await readTrace(root, 'not-a-trace')).toEqual([]);
  });

  it('keeps its size bounded: past maxSegments the oldest segments go', async () => {
    const writer = new SpanStoreWriter(root, { flushIntervalMs: 0, segmentBytes: 1500, maxSegments: 3 });
    for (let t = 1; t <= 60; t++) writer.append([span(t, 0)]);
    writer.close();

    const names = readdirSync(spansDir(root));
    expect(names.filter((name) => name.endsWith('.ndjson')).length).toBe(3);
    expect(names.filter((name) => name.endsWith('.sum')).length).toBe(3);
    const kept = await listTraces(root, { limit: 0 });
    expect(kept[0].traceId).toBe(traceId(60));
    expect(kept.length).toBeLessThan(60);
    expect(await readTrace(root, traceId(1))).toEqual([]);
  });

  it('survives a writer killed mid-write: a cut summary record and a cut span line are left out, the rest is read', async () => {
    const writer = new SpanStoreWriter(root, { flushIntervalMs: 0 });
    writer.append([span(1, 0), span(2, 0)]);
    writer.flush();
    writer.append([span(3, 0)]);
    writer.flush();
    writer.close();
    const summary = spanSummaryPath(spansDir(root), 1);
    truncateSync(summary, statSync(summary).size - 5); // the second flush's record cut short: trace 3 is read from the tail
    appendFileSync(spanSegmentPath(spansDir(root), 1), '{"traceId":"0000000000000000000000000000000');

    expect((await listTraces(root)).map((t) => [t.traceId, t.spanCount])).toEqual([[traceId(3), 1], [traceId(2), 1], [traceId(1), 1]]);
    expect(readFileSync(summary).subarray(0, 8).toString()).toBe('msxsum01');
    expect(await listTraces(join(root, 'elsewhere'))).toEqual([]);
  });

  it('sums thousands of traces split across flushes and segments, the first N the same as a full sort', async () => {
    const writer = new SpanStoreWriter(root, { flushIntervalMs: 0, segmentBytes: 400_000 });
    for (let t = 1; t <= 3000; t++) writer.append([span(t, 0, { durationMs: (t * 37) % 101 })]);
    writer.flush();
    for (let t = 1; t <= 3000; t += 2) writer.append([span(t, 1, { durationMs: (t * 53) % 89, service: 'mailer' })]);
    writer.close();

    const all = await listTraces(root, { limit: 0, order: 'slowest' });
    expect(all.length).toBe(3000);
    expect(all.filter((t) => t.spanCount === 2).length).toBe(1500);
    expect(all.find((t) => t.traceId === traceId(7))?.services).toEqual(['mailer', 'orders']);
    expect(await listTraces(root, { order: 'slowest', limit: 25 })).toEqual(all.slice(0, 25));
    const durations = all.map((t) => t.durationMs);
    expect(durations).toEqual([...durations].sort((a, b) => b - a));
    const mailer = await listTraces(root, { service: 'mailer', limit: 0 });
    expect(mailer.length).toBe(1500);
    expect(mailer.map((t) => t.startMs)).toEqual([...mailer.map((t) => t.startMs)].sort((a, b) => b - a));
  });

  it('leaves out spans whose ids are not hex of the right length', async () => {
    const writer = new SpanStoreWriter(root, { flushIntervalMs: 0 });
    writer.append([span(1, 0, { traceId: 'zz' }), span(2, 0, { spanId: '12' }), span(3, 0)]);
    writer.close();
    expect((await listTraces(root)).map((t) => t.traceId)).toEqual([traceId(3)]);
  });
});
