import type { DashboardService, DashboardServices } from '../services/dashboard-data.js';
import { html, type SafeHtml } from './html.js';

/** The services page: its table is a fragment htmx reloads every 2 s and after each button. */
export function servicesPage(): SafeHtml {
  return html`<h1>Services</h1>
<div id="services" hx-get="/fragments/services" hx-trigger="load, every 2s" hx-swap="innerHTML">loading…</div>`;
}

const RUNNING = new Set(['starting', 'ready', 'orphaned']);

export function servicesTable(data: DashboardServices): SafeHtml {
  return html`<p class="muted">workspace <strong>${data.workspace}</strong> · runtime ${data.runtime}${data.canControl ? '' : ' (no restart/stop/start on this runtime)'}</p>
<table class="services">
<thead><tr><th>service</th><th>kind</th><th>state</th><th>pid</th><th>port</th><th>url</th><th>restarts</th><th>started</th><th>last exit</th><th>readiness / detail</th>${data.canControl ? html`<th></th>` : ''}</tr></thead>
<tbody>${data.services.map((s) => row(s, data.canControl))}</tbody>
</table>`;
}

function row(s: DashboardService, canControl: boolean): SafeHtml {
  const running = RUNNING.has(s.state);
  return html`<tr data-service="${s.service}" data-state="${s.state}">
<td><a href="/logs?service=${s.service}">${s.service}</a></td>
<td>${s.kind}</td>
<td><span class="state state-${s.state}">${s.state}</span></td>
<td>${running && s.pid ? s.pid : '-'}</td>
<td>${s.port ?? '-'}</td>
<td>${s.state === 'ready' && s.url ? (s.url.startsWith('http') ? html`<a href="${s.url}" target="_blank" rel="noopener">${s.url}</a>` : s.url) : '-'}</td>
<td>${s.restarts}</td>
<td>${s.startedAt ? s.startedAt.slice(11, 19) : '-'}</td>
<td>${s.lastExit ?? '-'}</td>
<td class="detail">${s.readiness ? html`<div class="readiness">${s.readiness}</div>` : ''}${s.detail ?? ''}</td>
${canControl ? html`<td class="buttons">${buttons(s)}</td>` : ''}
</tr>`;
}

function buttons(s: DashboardService): SafeHtml {
  const button = (action: string) =>
    html`<button hx-post="/api/services/${s.service}/${action}" hx-target="#services" hx-swap="innerHTML" hx-disabled-elt="this">${action}</button>`;
  const stopped = s.state === 'stopped' || s.state === 'failed' || s.state === 'blocked';
  return html`${button('restart')}${stopped ? button('start') : button('stop')}`;
}
