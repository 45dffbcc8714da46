import { readdirSync } from 'node:fs';
import { SPAN_SEGMENT_PATTERN } from './paths.js';
import type { SpanRecord } from './span-store.js';

/**
 * The `.sum` file of a span segment: header `msxsum01`, then partial trace
 * summaries, each (little-endian)
 *
 *   u32 record bytes · 16 B trace id · f64 earliest start ms · f64 latest end ms
 *   f64 first span's byte offset · f64 last span's end offset (in the segment)
 *   f64 segment bytes covered by this flush · u32 spans · u32 error spans
 *   u8 flags · utf-8 `rootService␟rootName␟svc␞svc…`
 *
 * flags 1: the root is the span with no parent; 2: no such span in this
 * flush, and the root named is the earliest span of the flush (its parent is
 * a caller outside msx, such as curl with a traceparent, or has not arrived
 * yet); 0: no root named (files written before flag 2 existed).
 *
 * Fixed-size fields first, so a reader sums 100,000 of them without
 * parsing JSON. A record cut short (the writer killed mid-write) ends the file.
 */
export const SUMMARY_MAGIC = 'msxsum01';
export const SUMMARY_FIXED_BYTES = 69;
const UNIT = '\x1f';
/** Flag values (see above). */
export const ROOT = 1;
export const ENTRY = 2;
const GROUP = '\x1e';

/** A trace's spans within one flush of one segment. */
export interface PartialSummary {
  traceId: string;
  startMs: number;
  endMs: number;
  firstOffset: number;
  lastEnd: number;
  spanCount: number;
  errorCount: number;
  root?: { name: string; service: string };
  /** The earliest span, the root's stand-in while no span without a parent is here. */
  earliest: { name: string; service: string };
  services: Set<string>;
}

export function addSpan(summaries: Map<string, PartialSummary>, span: SpanRecord, offset: number, end: number): void {
  const endMs = span.startMs + span.durationMs;
  const error = span.status.code === 'error' ? 1 : 0;
  const found = summaries.get(span.traceId);
  if (!found) {
    const services = new Set([span.service]);
    const root = span.parentSpanId ? undefined : { name: span.name, service: span.service };
    const earliest = { name: span.name, service: span.service };
    summaries.set(span.traceId, { traceId: span.traceId, startMs: span.startMs, endMs, firstOffset: offset, lastEnd: end, spanCount: 1, errorCount: error, root, earliest, services });
    return;
  }
  if (span.startMs < found.startMs) found.earliest = { name: span.name, service: span.service };
  found.startMs = Math.min(found.startMs, span.startMs);
  found.endMs = Math.max(found.endMs, endMs);
  found.lastEnd = end;
  found.spanCount += 1;
  found.errorCount += error;
  found.services.add(span.service);
  if (!found.root && !span.parentSpanId) found.root = { name: span.name, service: span.service };
}

const clean = (text: string) => text.replace(/[\x1e\x1f]/g, ' ');

export function encodeSummary(summary: PartialSummary, coveredTo: number): Buffer {
  const root = summary.root ?? summary.earliest;
  const tail = [clean(root?.service ?? ''), clean(root?.name ?? ''), [...summary.services].map(clean).join(GROUP)].join(UNIT);
  const tailBytes = Buffer.byteLength(tail);
  const record = Buffer.allocUnsafe(SUMMARY_FIXED_BYTES + tailBytes);
  record.writeUInt32LE(record.length, 0);
  record.write(summary.traceId, 4, 16, 'hex');
  record.writeDoubleLE(summary.startMs, 20);
  record.writeDoubleLE(summary.endMs, 28);
  record.writeDoubleLE(summary.firstOffset, 36);
  record.writeDoubleLE(summary.lastEnd, 44);
  record.writeDoubleLE(coveredTo, 52);
  record.writeUInt32LE(summary.spanCount, 60);
  record.writeUInt32LE(summary.errorCount, 64);
  record.writeUInt8(summary.root ? ROOT : ENTRY, 68);
  record.write(tail, SUMMARY_FIXED_BYTES, 'utf8');
  return record;
}

/** Calls `each` with the offset of every whole record of a `.sum` file's bytes; false when the header is not ours. */
export function forEachSummary(bytes: Buffer, each: (at: number, length: number) => void): boolean {
  if (bytes.length < SUMMARY_MAGIC.length || bytes.toString('latin1', 0, SUMMARY_MAGIC.length) !== SUMMARY_MAGIC) return false;
  for (let at = SUMMARY_MAGIC.length; at + SUMMARY_FIXED_BYTES <= bytes.length; ) {
    const length = bytes.readUInt32LE(at);
    if (length < SUMMARY_FIXED_BYTES || at + length > bytes.length) break;
    each(at, length);
    at += length;
  }
  return true;
}

/** The root and services of a record, decoded (the same tail text recurs across traces, so decoded once). */
export class TailCache {
  private readonly byFlag = [new Map<string, Decoded>(), new Map<string, Decoded>(), new Map<string, Decoded>()];

  decode(bytes: Buffer, at: number, length: number): Decoded {
    const text = bytes.toString('utf8', at + SUMMARY_FIXED_BYTES, at + length);
    const flag = bytes[at + 68];
    const cache = this.byFlag[flag] ?? this.byFlag[0];
    let found = cache.get(text);
    if (!found) {
      const [service, name, services] = text.split(UNIT);
      const named = { name: name ?? '', service: service ?? '' };
      found = { root: flag === ROOT ? named : undefined, entry: flag === ENTRY ? named : undefined, services: services ? services.split(GROUP) : [] };
      cache.set(text, found);
    }
    return found;
  }
}

export interface Decoded {
  /** The span with no parent. */
  root?: { name: string; service: string };
  /** Without a root: the earliest span (of the record, or once merged, of the trace). */
  entry?: { name: string; service: string };
  services: readonly string[];
}

/** The segment numbers in a spans directory, oldest first ([] when there is none). */
export function segmentNumbers(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const match = SPAN_SEGMENT_PATTERN.exec(name);
    return match ? [Number(match[1])] : [];
  }).sort((a, b) => a - b);
}
