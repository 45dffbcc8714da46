import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type RunningDashboard } from '../../src/dashboard/server.js';
import { ServiceLogFile } from '../../src/state/log-file.js';
import { toLogLine } from '../../src/state/log-record.js';
import { logsDir } from '../../src/state/paths.js';
import { SpanStoreWriter } from '../../src/state/span-store.js';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';
import { hexId, span } from './spans.js';

// The dashboard's server over real HTTP, on a workspace whose .msx files the test writes: the token, the pages'
// assets (no CDN), the log stream (SSE) and the traces API. The browser test drives the same pages in Chromium.

describe('the dashboard server', () => {
  let root: string;
  let ws: string;
  let dashboard: RunningDashboard;
  let base: string;
  let cookie: string;
  const logs = () => logsDir(ws);

  beforeAll(async () => {
    root = makeTempDir();
    expect(runCli(['init', 'shop'], root).code).toBe(0);
    ws = join(root, 'shop');
    expect(runCli(['new', 'service', 'orders', '--kind', 'rest', '--context', 'ordering', '--port', '42230'], ws).code).toBe(0);
    dashboard = await startDashboard({ cwd: ws });
    base = new URL(dashboard.url).origin;
    const first = await fetch(dashboard.url, { redirect: 'manual' });
    cookie = first.headers.get('set-cookie')!.split(';')[0];
  });

  afterAll(async () => {
    await dashboard?.close();
    removeDir(root);
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers: { cookie, ...headers }, redirect: 'manual' });

  it('takes the token from the URL once: an HttpOnly cookie and the same page without it', async () => {
    const first = await fetch(`${base}/traces?service=orders&token=${new URL(dashboard.url).searchParams.get('token')}`, { redirect: 'manual' });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/traces?service=orders');
    expect(first.headers.get('set-cookie')).toMatch(/^msx_dashboard_\d+=[\w-]{32}; HttpOnly; SameSite=Strict; Path=\/$/);
    expect((await get('/services')).status).toBe(200);
    expect((await fetch(`${base}/services`)).status).toBe(401);
  });

  it('answers only to its own address (no DNS rebinding), and 404 for what it does not have', async () => {
    expect(await statusWithHost(dashboard.port, '/services', cookie, 'evil.example:80')).toBe(403);
    expect(await statusWithHost(dashboard.port, '/services', cookie, `localhost:${dashboard.port}`)).toBe(200);
    expect((await get('/nothing')).status).toBe(404);
    expect((await get('/assets/../package.json')).status).toBe(404);
  });

  it('serves every asset itself: htmx from node_modules, nothing from another host', async () => {
    const htmx = await get('/assets/htmx.min.js');
    expect(htmx.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await htmx.text()).toBe(readFileSync(join(import.meta.dirname, '../../node_modules/htmx.org/dist/htmx.min.js'), 'utf8'));
    for (const path of ['/services', '/logs', '/traces', '/graph']) {
      const page = await (await get(path)).text();
      expect(page, path).not.toMatch(/(src|href)="(https?:)?\/\//);
      for (const [, asset] of page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) expect((await get(asset)).status, asset).toBe(200);
    }
  });

  it('a button on a workspace that is not running answers with the table and why', async () => {
    const answer = await fetch(`${base}/api/services/orders/restart`, { method: 'POST', headers: { cookie } });
    expect(answer.status).toBe(200);
    const body = await answer.text();
    expect(body).toMatch(/class="problem"[^>]*>restart orders: /);
    expect(body).toContain('data-service="orders" data-state="stopped"');
  });

  it('streams the log lines of the window, then new ones as they are written, filtered by level and trace id', async () => {
    const trace = hexId(16);
    const file = new ServiceLogFile(logs(), 'orders');
    const line = (msg: string, level: string, traceId?: string) =>
      file.write(toLogLine('orders', 'stdout', JSON.stringify({ level, time: new Date().toISOString(), msg, ...(traceId && { trace_id: traceId, span_id: hexId(8) }) })));
    line('old and quiet', 'debug', trace);
    line('before the stream', 'info', trace);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const abort = new AbortController();
    const stream = await fetch(`${base}/api/logs/stream?level=info&trace=${trace}`, { headers: { cookie }, signal: abort.signal });
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = readEvents(stream.body!);
    try {
      expect(await nextLines(events)).toEqual([expect.objectContaining({ m: 'before the stream', l: 'info', tr: trace, s: 'orders' })]);
      line('another trace', 'error', hexId(16));
      line('live', 'warn', trace);
      expect(await nextLines(events)).toEqual([expect.objectContaining({ m: 'live', l: 'warn' })]);
    } finally {
      abort.abort();
      await file.close();
    }
  });

  it('lists traces as msx traces does (slowest, errors, service) and gives one with its spans', async () => {
    const [fast, slow] = [hexId(16), hexId(16)];
    const writer = new SpanStoreWriter(ws, { flushIntervalMs: 0 });
    const now = Date.now();
    writer.append([
      span({ traceId: fast, spanId: hexId(8), service: 'orders', name: 'GET /fast', startMs: now - 100, durationMs: 5 }),
      span({ traceId: slow, spanId: hexId(8), service: 'stock', name: 'GET /slow', startMs: now - 90, durationMs: 80, status: { code: 'error' } }),
    ]);
    writer.close();
    const list = async (query: string) => ((await (await get(`/api/traces?${query}`)).json()).traces as { traceId: string }[]).map((t) => t.traceId);
    expect((await list('slowest=on')).slice(0, 2)).toEqual([slow, fast]);
    expect(await list('errors=on')).toEqual([slow]);
    expect(await list('service=orders')).toEqual([fast]);
    const one = await (await get(`/api/traces/${slow}`)).json();
    expect(one.spans.map((s: { name: string }) => s.name)).toEqual(['GET /slow']);
    expect((await get('/traces/not-a-trace-id')).status).toBe(400);
  });

  it('refuses a --port already in use with a one-line conflict', async () => {
    await expect(startDashboard({ cwd: ws, port: dashboard.port })).rejects.toMatchObject({ message: `port ${dashboard.port} is already in use on 127.0.0.1`, exitCode: 7 });
  });
});

type Events = AsyncGenerator<{ event: string; data: string }>;

async function* readEvents(body: ReadableStream<Uint8Array>): Events {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data !== undefined) yield { event, data };
    }
  }
}

async function nextLines(events: Events): Promise<unknown[]> {
  for (;;) {
    const { value, done } = await events.next();
    if (done) throw new Error('the stream ended');
    if (value.event === 'failure') throw new Error(value.data);
    if (value.event === 'lines') return JSON.parse(value.data);
  }
}

/** fetch cannot send another Host: node:http can. */
function statusWithHost(port: number, path: string, cookie: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host, cookie } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
