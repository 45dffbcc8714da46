import type { SpanRecord } from '../state/span-store.js';
import type { LogEntry } from './log-entry.js';

/**
 * One stored span of a trace with the spans it started under it, and the log
 * lines it wrote (by the lines' span_id) as indexes into the trace's lines.
 */
export interface SpanNode {
  span: SpanRecord;
  children: SpanNode[];
  /** Indexes into Trace.lines, in time order. */
  lines: number[];
}

/**
 * The spans of a trace as a tree (each under the span its parentSpanId names;
 * one whose parent was not stored is a root), earliest first at each level,
 * with every log line placed under the span that wrote it.
 */
export function buildSpanTree(spans: readonly SpanRecord[], lines: readonly LogEntry[]): SpanNode[] {
  const nodes = new Map<string, SpanNode>();
  for (const span of spans) if (!nodes.has(span.spanId)) nodes.set(span.spanId, { span, children: [], lines: [] });
  lines.forEach((line, index) => {
    const spanId = line.fields?.span_id;
    if (typeof spanId === 'string') nodes.get(spanId)?.lines.push(index);
  });
  const parentOf = new Map<SpanNode, SpanNode>();
  const roots: SpanNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.span.parentSpanId ? nodes.get(node.span.parentSpanId) : undefined;
    if (parent && !closesLoop(node, parent, parentOf)) {
      parentOf.set(node, parent);
      parent.children.push(node);
    } else roots.push(node);
  }
  const byStart = (a: SpanNode, b: SpanNode) => a.span.startMs - b.span.startMs;
  for (const node of nodes.values()) node.children.sort(byStart);
  return roots.sort(byStart);
}

function closesLoop(node: SpanNode, parent: SpanNode, parentOf: Map<SpanNode, SpanNode>): boolean {
  for (let at: SpanNode | undefined = parent; at; at = parentOf.get(at)) if (at === node) return true;
  return false;
}
