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

/** The key the local runtime writes before the service's line (src/runtimes/local/log-file.ts). */
export const LINE_KEY = ',"line":';

/**
 * One line of `.msx/logs/<service>.ndjson`:
 * `{"ts","service","stream","line": <the service's JSON object verbatim, or its text as a string>}`.
 * A line that is not such a record (hand-edited, cut short) is kept as plain
 * text at `fallbackTime`, the time of the line before it, so it stays in place.
 */
export function parseLogFileLine(raw: string, service: string, fallbackTime: number): LogEntry {
  const record = jsonObject(raw);
  if (!record || typeof record.ts !== 'string') return plainAt(service, raw, fallbackTime);
  const stream: Stream = record.stream === 'stderr' ? 'stderr' : 'stdout';
  const line = record.line;
  if (typeof line === 'string') return parseServiceLine(service, stream, record.ts, line);
  if (!isObject(line)) return parseServiceLine(service, stream, record.ts, JSON.stringify(line ?? ''));
  const receivedAt = record.ts;
  return { service, stream, receivedAt, text: verbatimBody(raw) ?? JSON.stringify(line), fields: line, time: serviceTime(line, () => isoTime(receivedAt, fallbackTime)) };
}

/**
 * A stack trace's lines: indented (`    at f (file.ts:1:2)`, `[cause]: …`), an
 * error's head (`TypeError: x`), `Caused by:`, or the `}` closing an error's
 * printed properties.
 */
export function isContinuation(text: string): boolean {
  return /^(?:\s+\S|[A-Za-z]*(?:Error|Exception)\b|Caused by:|\}\s*$)/.test(text);
}

/** The service's JSON exactly as written, so `--grep` sees what `grep` sees. */
function verbatimBody(raw: string): string | undefined {
  const at = raw.indexOf(LINE_KEY);
  return at > 0 && raw.endsWith('}') ? raw.slice(at + LINE_KEY.length, -1) : undefined;
}

function plainAt(service: string, text: string, time: number): LogEntry {
  return { service, stream: 'stdout', receivedAt: new Date(time).toISOString(), text, time };
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isoTime(iso: string, fallback = 0): number {
  const parsed = Date.parse(iso);
  return Number.isNaN(parsed) ? fallback : parsed;
}
