import chalk from 'chalk';
import type { TraceSummary } from '../state/span-store.js';
import { table } from './render-status.js';

/** A span or trace duration as people read it: 0.42 ms, 12.3 ms, 1.24 s. */
export function formatDuration(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** UTC, like the log lines: the time of day, with the date when it is not today. */
function startOf(ms: number, now: number): string {
  const iso = new Date(ms).toISOString();
  return iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10) ? iso.slice(11, 23) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** The `msx traces` table: one row per trace, its id ready for `msx logs --trace-id`. */
export function renderTraces(traces: TraceSummary[], now = Date.now()): string {
  const rows = traces.map((trace) => [
    trace.traceId,
    rootLabel(trace),
    trace.services.join(','),
    startOf(trace.startMs, now),
    formatDuration(trace.durationMs),
    String(trace.spanCount),
    trace.errorCount > 0 ? chalk.red(String(trace.errorCount)) : '0',
  ]);
  return table(['TRACE', 'ROOT', 'SERVICES', 'START', 'DURATION', 'SPANS', 'ERRORS'], rows);
}

/** The root span; a stand-in (the earliest span) is marked as such. */
function rootLabel(trace: TraceSummary): string {
  if (!trace.root) return chalk.dim('(root span not received)');
  const label = `${trace.root.service} ${trace.root.name}`;
  return trace.root.parentOutside ? `${label} ${chalk.dim('(parent not stored)')}` : label;
}

/** `msx traces --json`: the summaries, each with its start as an ISO time too. */
export function tracesJson(traces: TraceSummary[]): Array<TraceSummary & { start: string }> {
  return traces.map((trace) => ({ ...trace, start: new Date(trace.startMs).toISOString() }));
}
