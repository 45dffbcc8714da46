import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { spanSegmentPath, spanSummaryPath, spansDir } from './paths.js';
import type { SpanRecord } from './span-store.js';
import { addSpan, encodeSummary, segmentNumbers, SUMMARY_MAGIC, type PartialSummary } from './span-store-summary.js';

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

export interface SpanStoreWriterOptions {
  /** A segment is closed and a new one begun past this many bytes (default 32 MiB). */
  segmentBytes?: number;
  /** Segments kept, the one being written included; older ones are removed (default 8, so about 256 MiB). */
  maxSegments?: number;
  /** How often the partial summaries are written (default 1 s); 0: only on flush() / close(). */
  flushIntervalMs?: number;
}

/**
 * Appends spans to `.msx/spans/` (layout: span-store.ts). One writer per
 * workspace at a time (the collector); it always starts a new segment.
 * Writes are synchronous and whole: a batch is one write of its lines.
 */
export class SpanStoreWriter {
  private readonly dir: string;
  private readonly segmentBytes: number;
  private readonly maxSegments: number;
  private readonly timer: NodeJS.Timeout | undefined;
  private segment = 0;
  private spansFd = -1;
  private summaryFd = -1;
  private position = 0;
  private pending = new Map<string, PartialSummary>();
  private closed = false;

  constructor(root: string, options: SpanStoreWriterOptions = {}) {
    this.dir = spansDir(root);
    this.segmentBytes = options.segmentBytes ?? 32 * 1024 * 1024;
    this.maxSegments = Math.max(1, options.maxSegments ?? 8);
    mkdirSync(this.dir, { recursive: true });
    this.openSegment((segmentNumbers(this.dir).at(-1) ?? 0) + 1);
    const interval = options.flushIntervalMs ?? 1000;
    if (interval > 0) {
      this.timer = setInterval(() => this.flush(), interval);
      this.timer.unref();
    }
  }

  /** Stores finished spans (in one write); a span whose ids are not lowercase hex of the right length is left out. */
  append(spans: readonly SpanRecord[]): void {
    if (this.closed || spans.length === 0) return;
    let text = '';
    let offset = this.position;
    for (const span of spans) {
      if (!TRACE_ID.test(span.traceId) || !SPAN_ID.test(span.spanId)) continue;
      const line = `${JSON.stringify(span)}\n`;
      const end = offset + Buffer.byteLength(line);
      addSpan(this.pending, span, offset, end);
      text += line;
      offset = end;
    }
    if (text === '') return;
    writeSync(this.spansFd, text);
    this.position = offset;
    if (this.position >= this.segmentBytes) this.rotate();
  }

  /** Writes the summaries of the traces touched since the last flush: readers then no longer read those spans in full. */
  flush(): void {
    if (this.closed || this.pending.size === 0) return;
    const records = [...this.pending.values()].map((summary) => encodeSummary(summary, this.position));
    writeSync(this.summaryFd, Buffer.concat(records));
    this.pending = new Map();
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    closeSync(this.spansFd);
    closeSync(this.summaryFd);
  }

  private rotate(): void {
    this.flush();
    closeSync(this.spansFd);
    closeSync(this.summaryFd);
    this.openSegment(this.segment + 1);
    this.prune();
  }

  /** Opens segment `from` or the first free one after it ('wx': never another writer's file). */
  private openSegment(from: number): void {
    for (let segment = from; ; segment++) {
      try {
        this.spansFd = openSync(spanSegmentPath(this.dir, segment), 'wx');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw error;
      }
      this.summaryFd = openSync(spanSummaryPath(this.dir, segment), 'w');
      writeSync(this.summaryFd, SUMMARY_MAGIC);
      this.segment = segment;
      this.position = 0;
      return;
    }
  }

  private prune(): void {
    const segments = segmentNumbers(this.dir);
    for (const segment of segments.slice(0, Math.max(0, segments.length - this.maxSegments))) {
      // The summary first: a reader that finds a segment without one reads it in full, never a summary without spans.
      rmSync(spanSummaryPath(this.dir, segment), { force: true });
      rmSync(spanSegmentPath(this.dir, segment), { force: true });
    }
  }
}
