/** One span as the dashboard draws it, whatever store it came from (services/dashboard-traces.ts makes these). */
export interface SpanView {
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  /** server, client, producer, consumer, internal */
  kind?: string;
  /** Epoch ms (fractions kept). */
  startMs: number;
  durationMs: number;
  status: 'ok' | 'error' | 'unset';
  statusMessage?: string;
  attributes: Record<string, unknown>;
  events: { name: string; timeMs: number; attributes: Record<string, unknown> }[];
}

export interface TraceView {
  traceId: string;
  spans: SpanView[];
}

export interface OrderedSpan {
  span: SpanView;
  depth: number;
}

/** Depth-first from each root (a span whose parent is not in the trace), children by start time: the waterfall's rows. */
export function orderSpans(spans: SpanView[]): OrderedSpan[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, SpanView[]>();
  const roots: SpanView[] = [];
  for (const span of spans) {
    if (span.parentSpanId && ids.has(span.parentSpanId) && span.parentSpanId !== span.spanId) {
      const list = children.get(span.parentSpanId) ?? [];
      list.push(span);
      children.set(span.parentSpanId, list);
    } else roots.push(span);
  }
  const byStart = (a: SpanView, b: SpanView) => a.startMs - b.startMs;
  const out: OrderedSpan[] = [];
  const seen = new Set<string>();
  // An explicit stack: a deep trace must not overflow the call stack.
  const stack: OrderedSpan[] = roots.sort(byStart).reverse().map((span) => ({ span, depth: 0 }));
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next.span.spanId)) continue;
    seen.add(next.span.spanId);
    out.push(next);
    const kids = (children.get(next.span.spanId) ?? []).sort(byStart);
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i], depth: next.depth + 1 });
  }
  return out;
}
