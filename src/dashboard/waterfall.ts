import { html, type SafeHtml } from './html.js';
import { orderSpans, type SpanView, type TraceView } from './span-view.js';

const INDENT_PX = 12;
const MAX_INDENT = 24;

/**
 * One row per span, its bar placed by start and duration as percentages of the
 * trace. Rows carry no htmx attributes of their own (one click handler in
 * waterfall.js serves them all) and the CSS gives them content-visibility, so a
 * 1,000-span trace stays a light page.
 */
export function waterfall(trace: TraceView): SafeHtml {
  if (trace.spans.length === 0) return html`<p class="muted">no spans stored for this trace</p>`;
  const start = Math.min(...trace.spans.map((s) => s.startMs));
  const end = Math.max(...trace.spans.map((s) => s.startMs + s.durationMs));
  const total = Math.max(end - start, 0.001);
  const services = [...new Set(trace.spans.map((s) => s.service))];
  const rows = orderSpans(trace.spans).map(({ span, depth }) => {
    const left = ((span.startMs - start) / total) * 100;
    const width = Math.max((span.durationMs / total) * 100, 0.2);
    const indent = Math.min(depth, MAX_INDENT) * INDENT_PX;
    return html`<div class="span-row${span.status === 'error' ? ' error' : ''}" data-span="${span.spanId}"><div class="span-label" style="padding-left:${indent + 4}px"><b class="c${services.indexOf(span.service) % 8}">${span.service}</b> ${span.name}</div><div class="span-track"><div class="span-bar c${services.indexOf(span.service) % 8}" style="left:${left.toFixed(3)}%;width:${width.toFixed(3)}%"></div><span class="span-ms" style="${label(left, width)}">${formatMs(span.durationMs)}</span></div></div>`;
  });
  return html`<div class="waterfall-head"><span>${trace.spans.length} spans · ${services.length} services · ${formatMs(total)}</span><span class="ticks">${ticks(total)}</span></div>
<div id="waterfall" class="waterfall" data-trace="${trace.traceId}">${rows}</div>`;
}

/** The duration after the bar, or before it when the bar reaches the right edge. */
function label(left: number, width: number): string {
  if (left + width < 88) return `left:${(left + width).toFixed(3)}%`;
  if (left > 12) return `right:${(100 - left).toFixed(3)}%;margin-right:4px`;
  return 'right:4px;color:#fff'; // a bar across the whole track: inside it
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
