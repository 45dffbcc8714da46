import { traceIdOfFields } from '../state/log-record.js';
import { entryLevel, levelValue, type LevelName, type LogEntry } from './log-entry.js';

export interface LogFilterOptions {
  /** 32 lowercase hex characters (see parseTraceId). */
  traceId?: string;
  /** Lines at this level or above. */
  minLevel?: LevelName;
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, inclusive. */
  until?: number;
  /** A case-sensitive substring of the service's line (or of its stack trace). */
  grep?: string;
}

export type EntryPredicate = (entry: LogEntry) => boolean;

/** One predicate for all the filters asked for; only those asked for are checked. */
export function entryFilter(options: LogFilterOptions): EntryPredicate {
  const checks: EntryPredicate[] = [];
  const { traceId, minLevel, since, until, grep } = options;
  if (traceId) checks.push((entry) => traceIdOf(entry) === traceId);
  if (minLevel) {
    const min = levelValue(minLevel);
    checks.push((entry) => entryLevel(entry) >= min);
  }
  if (since !== undefined) checks.push((entry) => entry.time >= since);
  if (until !== undefined) checks.push((entry) => entry.time <= until);
  if (grep) checks.push((entry) => entry.text.includes(grep) || (entry.stack?.some((line) => line.includes(grep)) ?? false));
  return (entry) => checks.every((check) => check(entry));
}

/** `trace_id` as our services write it; `traceId` as some other loggers do. */
export function traceIdOf(entry: LogEntry): string | undefined {
  return traceIdOfFields(entry.fields);
}

/** The batches with only the entries that pass; empty batches are dropped. */
export async function* filterBatches(batches: AsyncIterable<LogEntry[]>, keep: EntryPredicate): AsyncGenerator<LogEntry[]> {
  for await (const batch of batches) {
    const kept = batch.filter(keep);
    if (kept.length > 0) yield kept;
  }
}
