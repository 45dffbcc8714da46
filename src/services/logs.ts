import { UserError } from '../errors.js';
import { entryFilter, filterBatches, type LogFilterOptions } from '../logs/filters.js';
import type { LogEntry } from '../logs/log-entry.js';
import type { LogSource } from '../logs/log-source.js';
import { mergeByTime } from '../logs/merge.js';
import { openLogSource } from '../logs/open-log-source.js';
import { buildTraceTree, type Trace } from '../logs/trace-tree.js';
import { buildSpanTree } from '../logs/span-tree.js';
import { readTrace, type SpanRecord } from '../state/span-store.js';
import { readWorkspace } from '../state/workspace-cache.js';
import { requireEnvironment } from '../models/workspace.js';
import { runtimeNameFor } from '../runtimes/select-runtime.js';

export interface LogsOptions {
  cwd: string;
  runtime?: string;
  /** Only these services; every service with logs when empty. */
  services: string[];
  filter: LogFilterOptions;
  /** An environment of msx.yaml: its runtime (unless `runtime` is given), and for kubernetes its namespace and context. */
  env?: string;
  /** Kubernetes only: each container's run before its last restart too. */
  previous?: boolean;
}

export interface LogStream {
  /** The services whose logs are read now (following may add services that start later). */
  services: string[];
  /** Matching entries in time order, in batches. */
  entries: AsyncIterable<LogEntry[]>;
}

export type TraceResult = Trace;

/**
 * `msx logs`: the matching lines of every service (or the named ones) merged
 * by time. With `follow`, new lines are streamed after them until its signal
 * aborts. Nothing is held in memory beyond a batch per service.
 */
export async function streamLogs(options: LogsOptions, follow?: { signal: AbortSignal }): Promise<LogStream> {
  const { source, services, named } = await openLogs(options, Boolean(follow));
  const keep = entryFilter(options.filter);
  const needle = options.filter.traceId;
  const history = mergeByTime(services.map((service) => filterBatches(source.read(service, { needle }), keep)));
  if (!follow) return { services, entries: history };
  if (!source.follow) throw new UserError('this runtime cannot follow logs', { hint: 'run without --follow' });
  const live = filterBatches(source.follow({ services: named, needle, signal: follow.signal }), keep);
  return { services, entries: concat(history, live) };
}

/** `msx logs --trace-id`: every line of one request across services, and its hops as a tree. */
export async function traceLogs(options: LogsOptions & { filter: { traceId: string } }): Promise<TraceResult> {
  const { traceId } = options.filter;
  const { services, entries } = await streamLogs(options);
  const lines: LogEntry[] = [];
  for await (const batch of entries) lines.push(...batch);
  const spans = await storedSpans(options, traceId);
  if (lines.length === 0 && spans.length === 0) throw traceNotFound(traceId, services, options);
  const trace: TraceResult = { traceId, tree: buildTraceTree(lines), lines };
  if (spans.length > 0) trace.spans = buildSpanTree(spans, lines);
  return trace;
}

/** The trace's spans from msx's collector (.msx/spans), for the local and docker runtimes. */
async function storedSpans(options: LogsOptions, traceId: string): Promise<SpanRecord[]> {
  const workspace = await readWorkspace(options.cwd);
  if (runtimeNameFor(workspace, options.runtime, options.env) === 'kubernetes') return [];
  return readTrace(workspace.root, traceId);
}

interface OpenLogs {
  source: LogSource;
  services: string[];
  /** The services named, when any were. */
  named?: string[];
}

async function openLogs(options: LogsOptions, following: boolean): Promise<OpenLogs> {
  const workspace = await readWorkspace(options.cwd);
  if (options.env !== undefined) requireEnvironment(workspace, options.env);
  const runtime = runtimeNameFor(workspace, options.runtime, options.env);
  // One line, no hint: the message says what to do.
  if (options.previous && runtime !== 'kubernetes') throw new UserError(`--previous works only with --runtime kubernetes (these logs are from the ${runtime} runtime)`);
  const source = await openLogSource(workspace, runtime, { previous: options.previous, env: options.env });
  const withLogs = await source.services();
  if (options.services.length === 0) {
    if (withLogs.length === 0 && !following && source.missingLogs) throw source.missingLogs([]);
    return { source, services: withLogs };
  }
  // A service removed from msx.yaml still has its logs: it is known too.
  const known = [...new Set([...workspace.services.map((s) => s.name), ...withLogs])];
  const unknown = options.services.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    const names = unknown.map((name) => `"${name}"`).join(', ');
    throw new UserError(`unknown service ${names} (known: ${known.join(', ') || 'none'})`, { hint: 'name services from msx.yaml; `msx ps` lists them' });
  }
  const named = [...new Set(options.services)];
  const missing = named.filter((name) => !withLogs.includes(name));
  // Following waits for services that start later; reading once has nothing to wait for.
  if (missing.length > 0 && !following && source.missingLogs) throw source.missingLogs(missing);
  return { source, services: named.filter((name) => withLogs.includes(name)), named };
}

function traceNotFound(traceId: string, services: string[], { filter, services: named }: LogsOptions): UserError {
  if (services.length === 0) {
    const none = named.length > 0 ? `no logs yet for ${named.join(', ')}` : 'there are no service logs yet';
    return new UserError(`no log lines with trace id ${traceId}: ${none}`, { hint: 'start the services with `msx up`, send the request, then run this again', exit: 'notFound' });
  }
  const windowed = filter.since !== undefined || filter.until !== undefined;
  const hint = windowed
    ? 'widen --since/--until (the request may be outside that window), and check with `msx ps` that the services that handled it run'
    : 'check with `msx ps` that the services that handled the request run, and that it carried this trace id (traceparent header)';
  return new UserError(`no log lines with trace id ${traceId} in the logs of ${services.join(', ')}`, { hint, exit: 'notFound' });
}

async function* concat<T>(...streams: AsyncIterable<T>[]): AsyncGenerator<T> {
  for (const stream of streams) yield* stream;
}
