import chalk from 'chalk';
import type { SpanNode } from '../logs/span-tree.js';
import type { Trace } from '../logs/trace-tree.js';
import { serviceColour } from './render-log-line.js';
import { renderLogEntry } from './render-trace.js';
import { formatDuration } from './render-traces.js';

/**
 * A trace with stored spans: the span tree with each span's offset from the
 * trace's start, its real duration and status, exceptions in red, and under
 * each span the log lines it wrote; then the lines no stored span wrote.
 *
 *     orders  POST /orders        137a4987  +0 ms    12.4 ms
 *       08:59:58.499 info  order placed
 *     └─ stock  stock.Stock/Reserve  5fd2c0e1  +2.1 ms  3.2 ms  error: out of stock ✗
 */
export function renderSpanTrace(trace: Trace & { spans: SpanNode[] }): string {
  const rows = flatten(trace.spans, undefined);
  const start = Math.min(...rows.map((row) => row.node.span.startMs));
  const end = Math.max(...rows.map((row) => row.node.span.startMs + row.node.span.durationMs));
  const errors = rows.filter((row) => row.node.span.status.code === 'error').length;
  const services = new Set(rows.map((row) => row.node.span.service)).size;
  const summary = `trace ${trace.traceId}  ${plural(rows.length, 'span')}, ${plural(services, 'service')}, ${formatDuration(end - start)}${errors ? chalk.red(`, ${plural(errors, 'error')}`) : ''}`;
  const width = Math.max(8, ...trace.lines.map((line) => line.service.length));
  const nameWidth = Math.max(...rows.map((row) => row.label.length + row.node.span.service.length + 1 + row.node.span.name.length));
  const offsetWidth = Math.max(...rows.map((row) => offset(row.node, start).length));
  const out = [chalk.bold(summary), ''];
  for (const row of rows) {
    out.push(spanRow(row, start, nameWidth, offsetWidth));
    for (const text of exceptions(row.node)) out.push(`${chalk.dim(row.under)}  ${chalk.red(text)}`);
    for (const index of row.node.lines) out.push(indented(row.under, renderLogEntry(trace.lines[index], width)));
  }
  const outside = linesOutsideSpans(trace.spans, trace.lines.length);
  if (outside.length > 0) out.push('', chalk.dim('lines outside the stored spans:'), ...outside.map((index) => renderLogEntry(trace.lines[index], width)));
  return out.join('\n');
}

/** The indexes of the lines no stored span wrote (no span_id, or one whose span was never exported). */
function linesOutsideSpans(tree: readonly SpanNode[], lineCount: number): number[] {
  const placed = new Set<number>();
  const visit = (node: SpanNode) => {
    for (const index of node.lines) placed.add(index);
    node.children.forEach(visit);
  };
  tree.forEach(visit);
  return Array.from({ length: lineCount }, (_, i) => i).filter((i) => !placed.has(i));
}

interface Row {
  node: SpanNode;
  /** The tree drawing before the span's name. */
  label: string;
  /** The drawing before the lines under it (the tree goes on beside them). */
  under: string;
}

function flatten(nodes: SpanNode[], indent: string | undefined, rows: Row[] = []): Row[] {
  nodes.forEach((node, i) => {
    const last = i === nodes.length - 1;
    const label = indent === undefined ? '' : `${indent}${last ? '└─ ' : '├─ '}`;
    const next = indent === undefined ? '' : `${indent}${last ? '   ' : '│  '}`;
    rows.push({ node, label, under: `${next}${node.children.length > 0 ? '│' : ' '}` });
    flatten(node.children, next, rows);
  });
  return rows;
}

function spanRow({ node, label }: Row, start: number, nameWidth: number, offsetWidth: number): string {
  const { span } = node;
  const name = `${serviceColour(span.service)(span.service)} ${span.name}`;
  const pad = ' '.repeat(Math.max(0, nameWidth - label.length - span.service.length - 1 - span.name.length));
  const status = statusText(node);
  const failed = span.status.code === 'error';
  const duration = formatDuration(span.durationMs).padStart(9);
  const row = `${chalk.dim(label)}${name}${pad}  ${chalk.dim(span.spanId.slice(0, 8))}  ${offset(node, start).padStart(offsetWidth)}  ${duration}  ${failed ? chalk.red(status) : status}`;
  return row.trimEnd();
}

/** What the span says of its outcome: HTTP status or gRPC code when it has one, the error and its message, ✗. */
function statusText({ span }: SpanNode): string {
  const http = span.attributes['http.response.status_code'] ?? span.attributes['http.status_code'];
  const grpc = span.attributes['rpc.grpc.status_code'];
  const parts = [http !== undefined ? String(http) : grpc !== undefined ? `grpc ${String(grpc)}` : undefined];
  if (span.status.code === 'error') parts.push(span.status.message ? `error: ${span.status.message}` : 'error', '✗');
  return parts.filter(Boolean).join(' ');
}

function exceptions({ span }: SpanNode): string[] {
  return span.events
    .filter((event) => event.name === 'exception')
    .map((event) => `exception ${String(event.attributes['exception.type'] ?? '')}: ${String(event.attributes['exception.message'] ?? '')}`.replace(' : ', ': '));
}

function offset({ span }: SpanNode, start: number): string {
  return `+${formatDuration(span.startMs - start)}`;
}

function indented(prefix: string, text: string): string {
  return text.split('\n').map((line) => `${chalk.dim(prefix)}  ${line}`).join('\n');
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

