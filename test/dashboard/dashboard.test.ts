import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../src/runtimes/runtime.js';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';
import { makeTwoServiceWorkspace, stopAndReap } from '../helpers/local-workspace.js';
import { isAlive } from '../../src/runtimes/process-groups.js';
import { launchChromium, screenshotPath } from './browser.js';
import { bigTrace, hexId, otlpJson, span } from './spans.js';
import type { SpanRecord } from '../../src/state/span-store.js';
import { serviceAuthorization } from '../helpers/service-token.js';

// The dashboard in a real browser (Debian's Chromium through playwright-core) against a real two-service workspace
// started with `msx up --detach`: the dashboard is the one that up started and printed.

const PORTS = { alpha: 42201, beta: 42202 };

describe('msx dashboard in Chromium, on a detached workspace', () => {
  let root: string;
  let ws: string;
  let url: string;
  let base: string;
  let browser: Browser | undefined;
  let page: Page;
  const seenPids = new Set<number>();

  beforeAll(async () => {
    root = makeTempDir();
    ws = makeTwoServiceWorkspace(root, 'dash', PORTS);
    const up = runCli(['up', '--detach', '--json'], ws);
    expect(up.code, up.stderr).toBe(0);
    const result = JSON.parse(up.stdout) as { services: ServiceStatus[]; dashboard: string };
    for (const s of result.services) if (s.pid) seenPids.add(s.pid);
    url = result.dashboard;
    base = new URL(url).origin;
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  });

  afterAll(async () => {
    await browser?.close();
    const dashboardPid = dashboardRecord(ws)?.pid;
    stopAndReap(ws, seenPids);
    // The dashboard up started stops by itself once the workspace is down.
    for (let i = 0; i < 50 && dashboardPid && isAlive(dashboardPid); i++) await sleep(200);
    if (dashboardPid && isAlive(dashboardPid)) process.kill(dashboardPid, 'SIGKILL');
    removeDir(root);
  });

  it('answers 401 to every page and API without the token (or with a wrong one)', async () => {
    for (const path of ['/', '/services', '/api/services', '/api/logs/stream', '/traces', '/assets/htmx.min.js']) {
      expect((await fetch(`${base}${path}`, { redirect: 'manual' })).status, path).toBe(401);
    }
    expect((await fetch(`${base}/services?token=wrong`, { redirect: 'manual' })).status).toBe(401);
    expect((await fetch(`${base}/services`, { headers: { cookie: `msx_dashboard_${new URL(url).port}=wrong` } })).status).toBe(401);
  });

  it('the services page shows every service ready (the token is taken once, then a cookie)', async () => {
    await page.goto(url);
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    for (const name of ['alpha', 'beta']) await page.waitForSelector(`tr[data-service="${name}"][data-state="ready"]`);
    await expect.poll(() => page.locator('tr[data-service="beta"] td a[href^="http://127.0.0.1:42202"]').count()).toBe(1);
    // The readiness detail is the service's own /health/ready: beta checks alpha, which it depends on.
    expect(await page.locator('tr[data-service="beta"] .readiness').textContent()).toMatch(/^ready: .*alpha ok/);
    await page.screenshot({ path: screenshotPath('services') });
  });

  it('a log line appears live after a request; its trace id opens the waterfall, one bar per span, with its log lines', async () => {
    await page.goto(`${base}/logs?service=beta`);
    await page.waitForSelector('#log-status:has-text("live")');
    const traceId = hexId(16);
    const callerSpan = hexId(8);
    const path = Object.keys((await (await fetch(`http://127.0.0.1:${PORTS.beta}/openapi.json`)).json()).paths).find((p) => !p.startsWith('/health') && !p.includes('{'))!;
    expect((await fetch(`http://127.0.0.1:${PORTS.beta}${path}`, { headers: { traceparent: `00-${traceId}-${callerSpan}-01`, authorization: await serviceAuthorization(ws, 'dash', 'beta') } })).status).toBe(200);
    const link = page.locator(`a.trace-link[href="/traces/${traceId}"]`).first();
    await link.waitFor();
    await page.screenshot({ path: screenshotPath('logs-live') });

    // The spans of that request, sent to msx's own collector (the one `msx up` runs) as an OTel exporter sends them:
    // beta's server span (the span_id its lines carry) and two children.
    const lines = (await (await page.request.get(`${base}/api/traces/${traceId}`)).json()).lines as { fields?: { span_id?: string } }[];
    const serverSpan = lines.find((l) => l.fields?.span_id)!.fields!.span_id!;
    const now = Date.now();
    const client = hexId(8);
    await sendSpans(ws, [
      span({ traceId, spanId: serverSpan, parentSpanId: callerSpan, service: 'beta', name: `GET ${path}`, kind: 'server', startMs: now - 40, durationMs: 30, attributes: { 'http.route': path } }),
      span({ traceId, spanId: client, parentSpanId: serverSpan, service: 'beta', name: 'GET alpha', kind: 'client', startMs: now - 35, durationMs: 20 }),
      span({ traceId, spanId: hexId(8), parentSpanId: client, service: 'alpha', name: 'GET /health/ready', kind: 'server', startMs: now - 30, durationMs: 10, status: { code: 'error', message: 'boom' } }),
    ]);
    await expect.poll(async () => (await (await page.request.get(`${base}/api/traces/${traceId}`)).json()).spans.length).toBe(3);

    await link.click();
    await page.waitForURL(`${base}/traces/${traceId}`);
    await expect.poll(() => page.locator('.span-row').count()).toBe(3);
    await page.locator(`.span-row[data-span="${serverSpan}"]`).click();
    await page.waitForSelector('#span-detail h2:has-text("beta")');
    expect(await page.locator('#span-detail .attributes').textContent()).toContain('http.route');
    expect(await page.locator('#span-detail .log-line').count()).toBeGreaterThan(0);
    await page.screenshot({ path: screenshotPath('waterfall') });
  });

  it('lists the trace with the filters of msx traces', async () => {
    await page.goto(`${base}/traces?service=alpha&errors=on`);
    await page.waitForSelector('table.traces tbody tr');
    expect(await page.locator('table.traces tbody tr').count()).toBeGreaterThan(0);
    await page.goto(`${base}/traces?service=ghost`);
    await page.waitForSelector('#traces p.muted');
  });

  it('renders a 1,000-span trace (time printed, not asserted)', async () => {
    const traceId = hexId(16);
    const spans = bigTrace(traceId, 1000);
    for (let i = 0; i < spans.length; i += 250) await sendSpans(ws, spans.slice(i, i + 250));
    await page.goto(`${base}/traces/${traceId}`);
    await page.waitForFunction(() => (window as unknown as { msxWaterfallRendered?: number }).msxWaterfallRendered);
    const ms = await page.evaluate(() => (window as unknown as { msxWaterfallRendered: number }).msxWaterfallRendered);
    console.log(`dashboard: 1,000-span waterfall rendered ${ms.toFixed(0)} ms after navigation start`);
    // Virtualized: every span is in the list, only the rows in view are in the DOM; the last one shows when scrolled to.
    expect(await page.locator('#waterfall').getAttribute('data-count')).toBe('1000');
    expect(await page.locator('.span-row').count()).toBeGreaterThan(10);
    expect(await page.locator('.span-row').count()).toBeLessThan(200);
    await page.locator('#waterfall').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.locator('.span-row[style*="top: 19980px"]').waitFor();
    await page.locator('.span-row').last().click();
    await page.waitForSelector('#span-detail h2');
    await page.screenshot({ path: screenshotPath('waterfall-1000') });
  });

  it('draws the service graph coloured by state', async () => {
    await page.goto(`${base}/graph`);
    for (const name of ['alpha', 'beta']) await page.waitForSelector(`svg.graph g.node[data-service="${name}"][data-state="ready"]`);
    expect(await page.locator('svg.graph g.edge-calls').count()).toBe(1);
    await page.screenshot({ path: screenshotPath('graph') });
  });

  it('restarts a service with its button, as msx restart does', async () => {
    await page.goto(`${base}/services`);
    const row = page.locator('tr[data-service="alpha"]');
    await row.locator('[data-state="ready"], td').first().waitFor();
    const before = psOf(ws, 'alpha');
    await row.locator('button', { hasText: 'restart' }).click();
    await expect.poll(() => psOf(ws, 'alpha').pid !== before.pid && psOf(ws, 'alpha').state === 'ready', { timeout: 60_000 }).toBe(true);
    seenPids.add(psOf(ws, 'alpha').pid!);
    await page.waitForSelector('tr[data-service="alpha"][data-state="ready"]');
  });

  it('msx down also stops the dashboard msx up started, and it forgets its address', async () => {
    const pid = dashboardRecord(ws)!.pid;
    expect(isAlive(pid)).toBe(true);
    expect(runCli(['down'], ws).code).toBe(0);
    await expect.poll(() => isAlive(pid), { timeout: 10_000 }).toBe(false);
    expect(dashboardRecord(ws)).toBeUndefined();
  });
});

function psOf(ws: string, name: string): ServiceStatus {
  return (JSON.parse(runCli(['ps', '--json'], ws).stdout).services as ServiceStatus[]).find((s) => s.service === name)!;
}

/** POST /v1/traces (OTLP/JSON) to the collector `msx up` started, as .msx/collector.json names it. */
async function sendSpans(ws: string, spans: SpanRecord[]): Promise<void> {
  const { endpoint } = JSON.parse(readFileSync(join(ws, '.msx', 'collector.json'), 'utf8')) as { endpoint: string };
  const answer = await fetch(`${endpoint}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(otlpJson(spans)) });
  expect(answer.status, await answer.clone().text()).toBe(200);
}

function dashboardRecord(ws: string): { pid: number } | undefined {
  const file = join(ws, '.msx', 'dashboard.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { pid: number }) : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
