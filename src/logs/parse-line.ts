import { decodeLogRecord, jsonObject } from '../state/log-record.js';
import { serviceTime, type LogEntry } from './log-entry.js';

type Stream = 'stdout' | 'stderr';

/**
 * One line of a service's own output: a JSON object keeps its fields, anything
 * else (a banner, a stack frame) stays a plain message. Used by every source
 * whose runtime hands over raw text (Docker, Kubernetes).
 */
export function parseServiceLine(service: string, stream: Stream, receivedAt: string, text: string): LogEntry {
  const fields = text.startsWith('{') ? jsonObject(text) : undefined;
  const entry: LogEntry = { service, stream, receivedAt, text, time: serviceTime(fields, () => isoTime(receivedAt)) };
  if (fields) entry.fields = fields;
  return entry;
}

/**
 * One line of `.msx/logs/<service>.ndjson` (its layout: state/log-record.ts).
 * A line that is not such a record (hand-edited, cut short) is kept as plain
 * text at `fallbackTime`, the time of the line before it, so it stays in place.
 */
export function parseLogFileLine(raw: string, service: string, fallbackTime: number): LogEntry {
  const record = decodeLogRecord(raw);
  if (!record) return plainAt(service, raw, fallbackTime);
  const { ts: receivedAt, stream, line } = record;
  if (typeof line === 'string') return parseServiceLine(service, stream, receivedAt, line);
  return { service, stream, receivedAt, text: record.verbatim!, fields: line, time: serviceTime(line, () => isoTime(receivedAt, fallbackTime)) };
}

/**
 * A stack trace's lines: indented (`    at f (file.ts:1:2)`, `[cause]: …`), an
 * error's head (`TypeError: x`), `Caused by:`, or the `}` closing an error's
 * printed properties.
 */
export function isContinuation(text: string): boolean {
  return /^(?:\s+\S|[A-Za-z]*(?:Error|Exception)\b|Caused by:|\}\s*$)/.test(text);
}

function plainAt(service: string, text: string, time: number): LogEntry {
  return { service, stream: 'stdout', receivedAt: new Date(time).toISOString(), text, time };
}

function isoTime(iso: string, fallback = 0): number {
  const parsed = Date.parse(iso);
  return Number.isNaN(parsed) ? fallback : parsed;
}
