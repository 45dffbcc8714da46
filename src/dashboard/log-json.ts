import { traceIdOf } from '../logs/filters.js';
import { entryLevel, type LogEntry } from '../logs/log-entry.js';

/** One log line as the page gets it (SSE and the trace page): short keys, the browser builds the row with textContent. */
export interface PageLogLine {
  /** ISO time */
  t: string;
  /** service */
  s: string;
  /** level name */
  l: string;
  /** message */
  m: string;
  /** other fields as key=value */
  x: string;
  tr?: string;
  sp?: string;
  /** stack trace lines */
  st?: string[];
}

const NAMES: [number, string][] = [[60, 'fatal'], [50, 'error'], [40, 'warn'], [30, 'info'], [20, 'debug'], [0, 'trace']];
const SHOWN = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname', 'trace_id', 'traceId', 'span_id', 'parent_span_id']);

export function levelName(entry: LogEntry): string {
  const value = entryLevel(entry);
  return NAMES.find(([min]) => value >= min)?.[1] ?? 'info';
}

export function toPageLine(entry: LogEntry): PageLogLine {
  const f = entry.fields;
  const line: PageLogLine = { t: new Date(entry.time).toISOString(), s: entry.service, l: levelName(entry), m: f ? String(f.msg ?? '') : entry.text, x: '' };
  if (f) {
    line.x = Object.entries(f)
      .filter(([key]) => !SHOWN.has(key))
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    const trace = traceIdOf(entry);
    if (trace) line.tr = trace;
    if (typeof f.span_id === 'string') line.sp = f.span_id;
  }
  if (entry.stack) line.st = entry.stack;
  return line;
}
