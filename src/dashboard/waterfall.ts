import { html, SafeHtml } from './html.js';
import { orderSpans, type SpanView, type TraceView } from './span-view.js';

/**
 * The waterfall is virtualized: the page carries every span as one compact JSON
 * row (id, depth, service, name, left %, width %, duration, error) and
 * waterfall.js draws only the rows in view as the list scrolls, so a 1,000-span
 * (or 10,000-span) trace costs the browser a few dozen elements, not thousands.
 */
export function waterfall(trace: TraceView): SafeHtml {
  if (trace.spans.length === 0) return html`<p class="muted">no spans stored for this trace</p>`;
  const start = Math.min(...trace.spans.map((s) => s.startMs));
  const end = Math.max(...trace.spans.map((s) => s.startMs + s.durationMs));
  const total = Math.max(end - start, 0.001);
  const services = [...new Set(trace.spans.map((s) => s.service))];
  const rows: WaterfallRow[] = orderSpans(trace.spans).map(({ span, depth }) => {
    const left = ((span.startMs - start) / total) * 100;
    const width = Math.max((span.durationMs / total) * 100, 0.2);
    return [span.spanId, depth, services.indexOf(span.service), span.name, round(left), round(width), formatMs(span.durationMs), span.status === 'error' ? 1 : 0];
  });
  const data = JSON.stringify({ services, rows }).replace(/</g, '\\u003c');
  return html`<div class="waterfall-head"><span>${count(trace.spans.length, 'span')} · ${count(services.length, 'service')} · ${formatMs(total)}</span><span class="ticks">${ticks(total)}</span></div>
<div id="waterfall" class="waterfall" data-trace="${trace.traceId}" data-count="${rows.length}"><div class="waterfall-rows"></div></div>
<script type="application/json" id="waterfall-data">${new SafeHtml(data)}</script>`;
}

/** [span id, depth, service index, name, left %, width %, duration label, 1 if error]: what waterfall.js draws a row from. */
export type WaterfallRow = [string, number, number, string, number, number, string, 0 | 1];

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function ticks(total: number): SafeHtml[] {
  return [0, 0.25, 0.5, 0.75].map((f) => html`<i style="left:${f * 100}%">${formatMs(total * f)}</i>`);
}

export function formatMs(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toFixed(0)}µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 1)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

/** The side panel of one span: what it is, its status and exception, its attributes, and the log lines it wrote. */
export function spanDetail(span: SpanView, logs: SafeHtml): SafeHtml {
  const exception = span.events.find((e) => e.name === 'exception');
  return html`<h2>${span.service} · ${span.name}</h2>
<dl class="span-facts">
<dt>span</dt><dd><code>${span.spanId}</code>${span.parentSpanId ? html` (parent <code>${span.parentSpanId}</code>)` : ''}</dd>
<dt>kind</dt><dd>${span.kind ?? '-'}</dd>
<dt>start</dt><dd>${new Date(span.startMs).toISOString()}</dd>
<dt>duration</dt><dd>${formatMs(span.durationMs)}</dd>
<dt>status</dt><dd class="status-${span.status}">${span.status}${span.statusMessage ? `: ${span.statusMessage}` : ''}</dd>
</dl>
${exception ? html`<h3>exception</h3><pre class="exception">${String(exception.attributes['exception.type'] ?? '')}: ${String(exception.attributes['exception.message'] ?? '')}
${String(exception.attributes['exception.stacktrace'] ?? '')}</pre>` : ''}
<h3>attributes</h3>
<table class="attributes">${Object.entries(span.attributes).map(([k, v]) => html`<tr><th>${k}</th><td>${typeof v === 'string' ? v : JSON.stringify(v)}</td></tr>`)}</table>
${span.events.filter((e) => e.name !== 'exception').length > 0 ? html`<h3>events</h3><ul>${span.events.filter((e) => e.name !== 'exception').map((e) => html`<li>${e.name} at ${formatMs(e.timeMs - span.startMs)}</li>`)}</ul>` : ''}
<h3>log lines</h3>${logs}`;
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
