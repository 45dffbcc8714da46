import chalk from 'chalk';
import type { LogEntry } from '../logs/log-entry.js';
import type { Trace, TraceHop } from '../logs/trace-tree.js';
import { renderLogLine, serviceColour } from './render-log-line.js';
import { renderSpanTrace } from './render-span-trace.js';

/**
 * A trace as a person reads it: a summary, the hops as a tree with each one's
 * offset from the start, duration and status (errors in red), then every line.
 *
 *     orders      137a4987  +0 ms   12 ms  201
 *     ├─ stock    5fd2c0e1  +2 ms    3 ms  OK
 *     └─ mailer   9b1e77aa  +6 ms    5 ms  ack order.placed
 */
export function renderTrace(trace: Trace): string {
  if (trace.spans) return renderSpanTrace(trace as Trace & { spans: NonNullable<Trace['spans']> });
  const rows = flatten(trace.tree, undefined);
  const start = Math.min(...rows.map((row) => Date.parse(row.hop.start)));
  const end = Math.max(...rows.map((row) => Date.parse(row.hop.start) + row.hop.durationMs));
  const errors = rows.filter((row) => row.hop.error).length;
  const services = new Set(rows.map((row) => row.hop.service)).size;
  const summary = `trace ${trace.traceId}  ${plural(rows.length, 'hop')}, ${plural(services, 'service')}, ${Math.round(end - start)} ms${errors ? chalk.red(`, ${plural(errors, 'error')}`) : ''}`;
  const widths = {
    label: Math.max(...rows.map((row) => row.label.length + row.hop.service.length)),
    offset: Math.max(...rows.map((row) => offsetOf(row.hop, start).length)),
    duration: Math.max(...rows.map((row) => `${row.hop.durationMs} ms`.length)),
  };
  const hops = rows.map((row) => hopRow(row, start, widths));
  const width = Math.max(...trace.lines.map((line) => line.service.length));
  return [chalk.bold(summary), '', ...hops, '', ...trace.lines.map((line) => renderLogEntry(line, width))].join('\n');
}

/** A log line, then its stack trace under it. */
export function renderLogEntry(entry: LogEntry, width = 12): string {
  const line = renderLogLine(entry, width);
  if (!entry.stack) return line;
  const stack = entry.stack.map((text) => renderLogLine({ ...entry, fields: undefined, text: /^\s/.test(text) ? chalk.dim(text) : chalk.red(text) }, width));
  return [line, ...stack].join('\n');
}

interface Row {
  hop: TraceHop;
  label: string;
}

/** Depth-first, each hop with the tree drawing before its name; roots (`indent` undefined) have none. */
function flatten(hops: TraceHop[], indent: string | undefined, rows: Row[] = []): Row[] {
  hops.forEach((hop, i) => {
    const last = i === hops.length - 1;
    rows.push({ hop, label: indent === undefined ? '' : `${indent}${last ? '└─ ' : '├─ '}` });
    flatten(hop.children, indent === undefined ? '' : `${indent}${last ? '   ' : '│  '}`, rows);
  });
  return rows;
}

function hopRow({ hop, label }: Row, start: number, widths: { label: number; offset: number; duration: number }): string {
  const name = serviceColour(hop.service)(hop.service) + ' '.repeat(widths.label - label.length - hop.service.length);
  const span = hop.spanId ? hop.spanId.slice(0, 8) : '-'.padEnd(8);
  const offset = offsetOf(hop, start).padStart(widths.offset);
  const duration = `${hop.durationMs} ms`.padStart(widths.duration);
  const status = [hop.status, hop.event, hop.error ? '✗' : undefined].filter(Boolean).join(' ');
  const row = `${chalk.dim(label)}${name}  ${chalk.dim(span)}  ${offset}  ${duration}  ${hop.error ? chalk.red(status) : status}`;
  return row.trimEnd();
}

function offsetOf(hop: TraceHop, start: number): string {
  return `+${Date.parse(hop.start) - start} ms`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
