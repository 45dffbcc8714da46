/**
 * The line layout of `.msx/logs/<service>.ndjson`, written and read here only:
 * `{"ts": receive time, "service", "stream", "line": <the service's JSON object verbatim, or its text as a string>}`.
 * The service's own JSON is written verbatim, so `grep` finds what it logged,
 * and `LINE_KEY` lets a reader take it back byte for byte.
 */

/** A log line from a service, as received. `fields` is set when the line is JSON. */
export interface ServiceLogLine {
  service: string;
  stream: 'stdout' | 'stderr';
  receivedAt: string;
  text: string;
  fields?: Record<string, unknown>;
}

/** The key written before the service's line: a reader finds the verbatim body after it. */
export const LINE_KEY = ',"line":';

/**
 * Parses one raw output line. JSON object lines keep their fields; anything
 * else (a stack trace, a banner) stays a plain message.
 */
export function toLogLine(service: string, stream: 'stdout' | 'stderr', text: string, receivedAt = new Date().toISOString()): ServiceLogLine {
  const line: ServiceLogLine = { service, stream, receivedAt, text };
  const fields = text.startsWith('{') ? jsonObject(text) : undefined;
  if (fields) line.fields = fields;
  return line;
}

/** One record, newline included. */
export function encodeLogRecord(line: ServiceLogLine): string {
  const body = line.fields ? line.text : JSON.stringify(line.text);
  return `{"ts":"${line.receivedAt}","service":"${line.service}","stream":"${line.stream}"${LINE_KEY}${body}}\n`;
}

export interface LogRecord {
  ts: string;
  stream: 'stdout' | 'stderr';
  /** The service's JSON object, or its text. */
  line: Record<string, unknown> | string;
  /** The service's JSON exactly as written, when `line` is an object. */
  verbatim?: string;
}

/** A record back, or undefined for a line that is not one (hand-edited, cut short). */
export function decodeLogRecord(raw: string): LogRecord | undefined {
  const record = jsonObject(raw);
  if (!record || typeof record.ts !== 'string') return undefined;
  const stream = record.stream === 'stderr' ? 'stderr' : 'stdout';
  const line = record.line;
  if (typeof line === 'string') return { ts: record.ts, stream, line };
  if (!isObject(line)) return { ts: record.ts, stream, line: JSON.stringify(line ?? '') };
  return { ts: record.ts, stream, line, verbatim: verbatimBody(raw) ?? JSON.stringify(line) };
}

/** The trace id a service's JSON line carries (pino's trace_id, or traceId). */
export function traceIdOfFields(fields: Record<string, unknown> | undefined): string | undefined {
  const id = fields?.trace_id ?? fields?.traceId;
  return typeof id === 'string' ? id : undefined;
}

function verbatimBody(raw: string): string | undefined {
  const at = raw.indexOf(LINE_KEY);
  return at > 0 && raw.endsWith('}') ? raw.slice(at + LINE_KEY.length, -1) : undefined;
}

export function jsonObject(text: string): Record<string, unknown> | undefined {
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
