import type { IncomingMessage, ServerResponse } from 'node:http';
import { LEVEL_NAMES, type LevelName } from '../logs/log-entry.js';
import { parseTimeBound } from '../logs/time-window.js';
import { parseTraceId } from '../logs/trace-id.js';
import { streamLogs } from '../services/logs.js';
import { html, type SafeHtml } from './html.js';
import { toPageLine } from './log-json.js';

/** The logs page: a filter form (kept in the URL) and the lines, streamed by /api/logs/stream (assets/dashboard/logs.js). */
export function logsPage(services: string[], query: URLSearchParams): SafeHtml {
  const chosen = new Set(query.getAll('service'));
  const level = query.get('level') ?? '';
  return html`<h1>Logs</h1>
<form id="log-filters" class="filters">
<fieldset><legend>services</legend>${services.map((name) => html`<label><input type="checkbox" name="service" value="${name}"${chosen.has(name) ? html` checked` : ''}> ${name}</label>`)}</fieldset>
<label>level <select name="level"><option value="">any</option>${LEVEL_NAMES.map((l) => html`<option${l === level ? html` selected` : ''}>${l}</option>`)}</select></label>
<label>text <input name="grep" value="${query.get('grep') ?? ''}" placeholder="contains…"></label>
<label>trace id <input name="trace" value="${query.get('trace') ?? ''}" size="34" placeholder="32 hex"></label>
<label>since <input name="since" value="${query.get('since') ?? '15m'}" size="6"></label>
<span id="log-status" class="muted">connecting…</span>
</form>
<div id="log-lines" class="log-lines" aria-live="polite"></div>`;
}

/**
 * Server-sent events: the matching lines of the last `since` and then every new
 * one, as `msx logs --follow` reads them (services/logs.ts), one event per batch.
 * Ends when the browser goes away.
 */
export async function streamLogEvents(cwd: string, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
  const abort = new AbortController();
  req.on('close', () => abort.abort());
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
  res.write('retry: 2000\n\n');
  const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  try {
    const level = query.get('level');
    const trace = query.get('trace')?.trim();
    const filter = {
      minLevel: level && (LEVEL_NAMES as readonly string[]).includes(level) ? (level as LevelName) : undefined,
      grep: query.get('grep') || undefined,
      traceId: trace ? parseTraceId(trace) : undefined,
      since: parseTimeBound(query.get('since') || '15m', 'since'),
    };
    const stream = await streamLogs({ cwd, services: query.getAll('service'), filter }, { signal: abort.signal });
    send('ready', { services: stream.services });
    for await (const batch of stream.entries) {
      if (abort.signal.aborted) break;
      send('lines', batch.map(toPageLine));
    }
  } catch (error) {
    if (!abort.signal.aborted) send('failure', { message: error instanceof Error ? error.message : String(error) });
  } finally {
    clearInterval(keepAlive);
    res.end();
  }
}
