import type { LogEntry } from '../logs/log-entry.js';
import type { DashboardTrace, SpanRecord, TraceQuery, TraceSummary } from '../services/dashboard-traces.js';
import { html, type SafeHtml } from './html.js';
import { toPageLine } from './log-json.js';
import type { SpanView, TraceView } from './span-view.js';
import { formatMs, spanDetail, waterfall } from './waterfall.js';

/** `msx traces`' filters from the page's query: service, since, errors, slowest. */
export function traceQueryOf(query: URLSearchParams, sinceMs: number | undefined): TraceQuery {
  return {
    service: query.get('service') || undefined,
    sinceMs,
    errors: query.get('errors') === 'on',
    order: query.get('slowest') === 'on' ? 'slowest' : 'recent',
    limit: Math.min(Math.max(Number(query.get('limit')) || 50, 1), 500),
  };
}

export function tracesPage(services: string[], query: URLSearchParams): SafeHtml {
  const checked = (name: string) => (query.get(name) === 'on' ? html` checked` : '');
  return html`<h1>Traces</h1>
<form class="filters" method="get" action="/traces">
<label>service <select name="service"><option value="">any</option>${services.map((s) => html`<option${query.get('service') === s ? html` selected` : ''}>${s}</option>`)}</select></label>
<label>since <input name="since" value="${query.get('since') ?? ''}" size="6" placeholder="10m"></label>
<label><input type="checkbox" name="errors"${checked('errors')}> errors only</label>
<label><input type="checkbox" name="slowest"${checked('slowest')}> slowest first</label>
<button>apply</button>
</form>
<div id="traces" hx-get="/fragments/traces?${query.toString()}" hx-trigger="load, every 3s" hx-swap="innerHTML">loading…</div>`;
}

export function tracesTable(traces: TraceSummary[]): SafeHtml {
  if (traces.length === 0) return html`<p class="muted">no traces stored yet: send a request to a service started by <code>msx up</code></p>`;
  return html`<table class="traces"><thead><tr><th>started</th><th>root</th><th>services</th><th>spans</th><th>duration</th><th>errors</th><th>trace id</th></tr></thead><tbody>
${traces.map((t) => html`<tr class="${t.errorCount > 0 ? 'error' : ''}"><td>${new Date(t.startMs).toISOString().slice(11, 23)}</td><td><a href="/traces/${t.traceId}">${t.root ? `${t.root.service} ${t.root.name}${t.root.parentOutside ? ' (parent not stored)' : ''}` : '(root not received)'}</a></td><td>${t.services.join(', ')}</td><td>${t.spanCount}</td><td>${formatMs(t.durationMs)}</td><td>${t.errorCount || ''}</td><td><code><a href="/traces/${t.traceId}">${t.traceId}</a></code></td></tr>`)}
</tbody></table>`;
}

export function toSpanView(span: SpanRecord): SpanView {
  return {
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    service: span.service,
    kind: span.kind,
    startMs: span.startMs,
    durationMs: span.durationMs,
    status: span.status.code,
    statusMessage: span.status.message,
    attributes: span.attributes,
    events: span.events,
  };
}

/** One trace: the waterfall, a panel for the clicked span, and (when no span was stored) its log lines alone. */
export function tracePage(trace: DashboardTrace): SafeHtml {
  const view: TraceView = { traceId: trace.traceId, spans: trace.spans.map(toSpanView) };
  return html`<h1>Trace <code>${trace.traceId}</code></h1>
<p class="muted"><a href="/logs?trace=${trace.traceId}&since=30d">its log lines live</a> · ${trace.lines.length} log lines</p>
<div class="trace-layout">
<section>${waterfall(view)}</section>
<aside id="span-detail" class="span-detail"><p class="muted">click a span for its attributes, status, exception and log lines</p></aside>
</div>
${trace.spans.length === 0 ? html`<h2>log lines</h2>${logLines(trace.lines)}` : ''}`;
}

export function spanPanel(trace: DashboardTrace, spanId: string): SafeHtml | undefined {
  const span = trace.spans.find((s) => s.spanId === spanId);
  if (!span) return undefined;
  return spanDetail(toSpanView(span), logLines(trace.lines.filter((line) => line.fields?.span_id === spanId)));
}

export function logLines(lines: LogEntry[]): SafeHtml {
  if (lines.length === 0) return html`<p class="muted">none</p>`;
  return html`<div class="log-lines static">${lines.map(toPageLine).map((l) => html`<div class="log-line level-${l.l}"><span class="t">${l.t.slice(11, 23)}</span> <span class="s">${l.s}</span> <span class="l">${l.l}</span> <span class="m">${l.m}</span> <span class="x">${l.x}</span>${l.st ? html`<pre>${l.st.join('\n')}</pre>` : ''}</div>`)}</div>`;
}
