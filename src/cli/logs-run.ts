import { UserError } from '../errors.js';
import type { LogFilterOptions } from '../logs/filters.js';
import { toLogLineJson, type LevelName, type LogEntry, type LogLineJson } from '../logs/log-entry.js';
import { parseTimeBound } from '../logs/time-window.js';
import { parseTraceId } from '../logs/trace-id.js';
import type { Trace } from '../logs/trace-tree.js';
import { streamLogs, traceLogs, type LogsOptions } from '../services/logs.js';

/** `msx logs` flags once parsed, by oclif (commands/logs.ts) or by the fast path (fast-path.ts). */
export interface LogsFlags {
  'trace-id'?: string;
  follow?: boolean;
  since?: string;
  until?: string;
  level?: string;
  grep?: string;
  runtime?: string;
  env?: string;
  previous?: boolean;
}

export type TraceJson = Trace<LogLineJson>;

export interface LogsIo {
  /** --json: the trace is returned as data (the caller prints it) and lines are JSON. */
  json: boolean;
  /** Prints one block of text and a newline. */
  log(text: string): void;
}

/**
 * The body of `msx logs`: a trace (returned as data with --json, printed
 * otherwise), or lines streamed as they are read until the end or Ctrl-C.
 */
export async function runLogs(flags: LogsFlags, services: string[], io: LogsIo): Promise<TraceJson | undefined> {
  if (flags.follow && flags.until) throw new UserError('--until cannot be used with --follow', { hint: 'drop one of them' });
  const options: LogsOptions = { cwd: process.cwd(), runtime: flags.runtime, services, filter: filterFrom(flags), env: flags.env, previous: flags.previous };
  const traceId = options.filter.traceId;
  if (traceId && !flags.follow) {
    const trace = await traceLogs({ ...options, filter: { ...options.filter, traceId } });
    if (io.json) return { traceId, tree: trace.tree, lines: trace.lines.map(toLogLineJson), ...(trace.spans ? { spans: trace.spans } : {}) };
    const { renderTrace } = await import('../output/render-trace.js');
    io.log(renderTrace(trace));
    return undefined;
  }
  await printLines(options, flags.follow === true, io.json);
  return undefined;
}

/** Streams lines as they are read; Ctrl-C (when following) or a closed pipe ends it cleanly. */
async function printLines(options: LogsOptions, follow: boolean, json: boolean): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort('interrupted');
  process.stdout.on('error', (error: NodeJS.ErrnoException) => error.code === 'EPIPE' && stop.abort('output closed'));
  if (follow) process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const stream = await streamLogs(options, follow ? { signal: stop.signal } : undefined);
    const width = Math.max(8, ...stream.services.map((service) => service.length));
    const { renderLogEntry } = json ? { renderLogEntry: undefined } : await import('../output/render-trace.js');
    const format = renderLogEntry ? (e: LogEntry) => renderLogEntry(e, width) : (e: LogEntry) => JSON.stringify(toLogLineJson(e));
    let printed = 0;
    for await (const batch of stream.entries) {
      if (stop.signal.aborted) break;
      process.stdout.write(`${batch.map(format).join('\n')}\n`);
      printed += batch.length;
    }
    if (printed === 0 && !follow) process.stderr.write(`msx: no log lines${stream.services.length === 0 ? ' yet: start services with `msx up`' : ' match'}\n`);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  if (stop.signal.reason === 'interrupted') process.exitCode = 130;
}

function filterFrom(flags: LogsFlags): LogFilterOptions {
  const now = Date.now();
  const filter: LogFilterOptions = {
    traceId: flags['trace-id'] === undefined ? undefined : parseTraceId(flags['trace-id']),
    since: flags.since === undefined ? undefined : parseTimeBound(flags.since, '--since', now),
    until: flags.until === undefined ? undefined : parseTimeBound(flags.until, '--until', now),
    minLevel: flags.level as LevelName | undefined,
    grep: flags.grep || undefined,
  };
  if (filter.since !== undefined && filter.until !== undefined && filter.since > filter.until) {
    throw new UserError(`--since ${flags.since} is after --until ${flags.until}: no line can match`, { hint: 'swap them' });
  }
  return filter;
}
