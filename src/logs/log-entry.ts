import type { ServiceLogLine } from '../state/log-record.js';

/**
 * One log line as `msx logs` handles it: the runtime's line (so
 * src/output/render-log-line.ts prints it as is) plus the time it is ordered
 * by and the stack-trace lines that belong to it.
 */
export interface LogEntry extends ServiceLogLine {
  /** Epoch ms: the service's own `time` when its line has one, else msx's receive time. */
  time: number;
  /** Non-JSON lines written right after this one on the same stream (a stack trace). */
  stack?: string[];
}

export const LEVEL_NAMES = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LevelName = (typeof LEVEL_NAMES)[number];

/** pino's numbers, so a service logging numeric levels compares the same way. */
const LEVEL_VALUES: Record<string, number> = {
  trace: 10, debug: 20, info: 30, warn: 40, warning: 40, error: 50, err: 50, fatal: 60, critical: 60,
};

export function levelValue(name: LevelName): number {
  return LEVEL_VALUES[name];
}

/**
 * The entry's level as a pino number. A plain (non-JSON) line has none: on
 * stderr it counts as error, because that is where a crash prints its stack,
 * and `--level error` must not hide a crash.
 */
export function entryLevel(entry: LogEntry): number {
  const level = entry.fields?.level;
  if (typeof level === 'number') return level;
  if (typeof level === 'string') return LEVEL_VALUES[level.toLowerCase()] ?? LEVEL_VALUES.info;
  if (entry.fields) return LEVEL_VALUES.info;
  return entry.stream === 'stderr' ? LEVEL_VALUES.error : LEVEL_VALUES.info;
}

/** The service's `time` (ISO string or epoch ms, as pino writes either), else `fallback`. */
export function serviceTime(fields: Record<string, unknown> | undefined, fallback: () => number): number {
  const time = fields?.time;
  if (typeof time === 'number' && Number.isFinite(time)) return time;
  if (typeof time === 'string') {
    const parsed = Date.parse(time);
    if (!Number.isNaN(parsed)) return parsed;
  }
  return fallback();
}

/** What `--json` prints per line: the file's shape (`line` is the service's object or its text) plus the time used. */
export interface LogLineJson {
  time: string;
  service: string;
  stream: 'stdout' | 'stderr';
  receivedAt: string;
  line: Record<string, unknown> | string;
  stack?: string[];
}

export function toLogLineJson(entry: LogEntry): LogLineJson {
  const json: LogLineJson = {
    time: new Date(entry.time).toISOString(),
    service: entry.service,
    stream: entry.stream,
    receivedAt: entry.receivedAt,
    line: entry.fields ?? entry.text,
  };
  if (entry.stack) json.stack = entry.stack;
  return json;
}
