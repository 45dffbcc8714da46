import type { LogEntry } from '../logs/log-entry.js';
import { listTraces, readTrace, type SpanRecord, type TraceQuery, type TraceSummary } from '../state/span-store.js';
import { readWorkspace } from '../state/workspace-cache.js';
import { streamLogs } from './logs.js';

export type { SpanRecord, TraceQuery, TraceSummary } from '../state/span-store.js';

/** The dashboard's traces list: `msx traces` over the span store (.msx/spans). */
export async function dashboardTraces(cwd: string, query: TraceQuery): Promise<TraceSummary[]> {
  const workspace = await readWorkspace(cwd);
  return listTraces(workspace.root, query);
}

export interface DashboardTrace {
  traceId: string;
  spans: SpanRecord[];
  /** Every log line of the trace, all services, in time order (each carries its span_id). */
  lines: LogEntry[];
}

/** One trace: its stored spans and its log lines, read as `msx logs --trace-id` reads them (the trace index applies). */
export async function dashboardTrace(cwd: string, traceId: string): Promise<DashboardTrace> {
  const workspace = await readWorkspace(cwd);
  const [spans, lines] = await Promise.all([readTrace(workspace.root, traceId), traceLines(cwd, traceId)]);
  return { traceId, spans, lines };
}

async function traceLines(cwd: string, traceId: string): Promise<LogEntry[]> {
  const { entries } = await streamLogs({ cwd, services: [], filter: { traceId } });
  const lines: LogEntry[] = [];
  for await (const batch of entries) lines.push(...batch);
  return lines;
}
