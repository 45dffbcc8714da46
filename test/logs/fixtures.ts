import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogEntry } from '../../src/logs/log-entry.js';

/** A line of `.msx/logs/<service>.ndjson` exactly as src/state/log-record.ts encodes it. */
export function record(service: string, ts: string, line: Record<string, unknown> | string, stream: 'stdout' | 'stderr' = 'stdout'): string {
  return `{"ts":"${ts}","service":"${service}","stream":"${stream}","line":${JSON.stringify(line)}}`;
}

export interface PinoLine {
  service: string;
  time: string;
  level?: string;
  msg?: string;
  trace?: string;
  span?: string;
  parent?: string;
  [key: string]: unknown;
}

/** A generated service's pino line (field order as pino writes it). */
export function pino({ service, time, level = 'info', msg = 'hello', trace, span, parent, ...extra }: PinoLine): Record<string, unknown> {
  const line: Record<string, unknown> = { level, time, service };
  if (trace) line.trace_id = trace;
  if (span) line.span_id = span;
  if (parent) line.parent_span_id = parent;
  return { ...line, ...extra, msg };
}

/** A parsed entry for tests of filters, merge and trees. */
export function entry(service: string, time: number, fields?: Record<string, unknown>, extra: Partial<LogEntry> = {}): LogEntry {
  const receivedAt = new Date(time).toISOString();
  const e: LogEntry = { service, stream: 'stdout', receivedAt, time, text: fields ? JSON.stringify(fields) : 'plain', ...extra };
  if (fields) e.fields = fields;
  return e;
}

export function writeLogs(root: string, files: Record<string, string[]>): string {
  const dir = join(root, '.msx', 'logs');
  mkdirSync(dir, { recursive: true });
  for (const [service, lines] of Object.entries(files)) writeFileSync(join(dir, `${service}.ndjson`), lines.map((l) => `${l}\n`).join(''));
  return dir;
}

export async function collect<T>(batches: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const batch of batches) all.push(...batch);
  return all;
}

export const TRACE = '4bf92f3577b34da6a3ce929b0e0e4736';
export const OTHER_TRACE = '0af7651916cd43dd8448eb211c80319c';
