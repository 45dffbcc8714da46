import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseTimeBound } from '../logs/time-window.js';
import { parseTraceId } from '../logs/trace-id.js';
import type { ControlAction } from '../services/dashboard-data.js';
import { dashboardControl, dashboardServices } from '../services/dashboard-data.js';
import { dashboardTrace, dashboardTraces } from '../services/dashboard-traces.js';
import { graphPage, graphSvg } from './graph-page.js';
import { html, type SafeHtml } from './html.js';
import { layout } from './layout.js';
import { logsPage, streamLogEvents } from './logs-page.js';
import { servicesPage, servicesTable } from './services-page.js';
import { spanPanel, tracePage, tracesPage, tracesTable, traceQueryOf } from './traces-page.js';

export interface Request {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  cwd: string;
}

const ACTIONS: readonly ControlAction[] = ['restart', 'stop', 'start'];

/** Every page has its own URL; fragments are what htmx swaps in; /api/* answers JSON (and the log stream). False: no such page. */
export async function route({ req, res, url, cwd }: Request): Promise<boolean> {
  const path = url.pathname;
  const get = req.method === 'GET' || req.method === 'HEAD';
  const parts = path.split('/').filter(Boolean);
  if (get && path === '/') return redirect(res, '/services');
  if (get && path === '/favicon.ico') return noContent(res);
  if (get && path === '/services') return page(res, layout('Services', path, servicesPage()));
  if (get && path === '/fragments/services') return fragment(res, servicesTable(await dashboardServices(cwd)));
  if (get && path === '/api/services') return json(res, await dashboardServices(cwd));
  if (req.method === 'POST' && parts[0] === 'api' && parts[1] === 'services' && parts.length === 4 && ACTIONS.includes(parts[3] as ControlAction)) {
    return fragment(res, await controlled(cwd, parts[3] as ControlAction, decodeURIComponent(parts[2])));
  }
  if (get && path === '/graph') return page(res, layout('Graph', path, graphPage()));
  if (get && path === '/fragments/graph') return fragment(res, graphSvg(await dashboardServices(cwd)));
  if (get && path === '/logs') return page(res, layout('Logs', path, logsPage(await serviceNames(cwd), url.searchParams), ['logs.js']));
  if (get && path === '/api/logs/stream') return streamLogEvents(cwd, req, res, url.searchParams).then(() => true);
  if (get && path === '/traces') return page(res, layout('Traces', path, tracesPage(await serviceNames(cwd), url.searchParams)));
  if (get && path === '/fragments/traces') return fragment(res, tracesTable(await dashboardTraces(cwd, traceQuery(url))));
  if (get && path === '/api/traces') return json(res, { traces: await dashboardTraces(cwd, traceQuery(url)) });
  if (get && parts[0] === 'traces' && parts.length === 2) {
    return page(res, layout('Trace', '/traces', tracePage(await dashboardTrace(cwd, parseTraceId(parts[1]))), ['waterfall.js']));
  }
  if (get && parts[0] === 'api' && parts[1] === 'traces' && parts.length === 3) return json(res, await dashboardTrace(cwd, parseTraceId(parts[2])));
  if (get && parts[0] === 'traces' && parts[2] === 'spans' && parts.length === 4) {
    const panel = spanPanel(await dashboardTrace(cwd, parseTraceId(parts[1])), parts[3]);
    return panel ? fragment(res, panel) : false;
  }
  return false;
}

/** A button's answer: the fresh table, with the error on top when the runtime refused (htmx swaps only 2xx answers). */
async function controlled(cwd: string, action: ControlAction, service: string): Promise<SafeHtml> {
  let problem: string | undefined;
  try {
    await dashboardControl(cwd, action, service);
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  }
  const table = servicesTable(await dashboardServices(cwd));
  return problem ? html`<p class="problem" role="alert">${action} ${service}: ${problem}</p>${table}` : table;
}

function traceQuery(url: URL) {
  const since = url.searchParams.get('since');
  return traceQueryOf(url.searchParams, since ? parseTimeBound(since, 'since') : undefined);
}

async function serviceNames(cwd: string): Promise<string[]> {
  return (await dashboardServices(cwd)).services.map((s) => s.service);
}

function page(res: ServerResponse, body: SafeHtml): true {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body.text);
  return true;
}

const fragment = page;

function json(res: ServerResponse, value: unknown): true {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(value));
  return true;
}

function noContent(res: ServerResponse): true {
  res.writeHead(204);
  res.end();
  return true;
}

function redirect(res: ServerResponse, location: string): true {
  res.writeHead(302, { location });
  res.end();
  return true;
}
