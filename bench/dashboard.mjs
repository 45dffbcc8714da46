#!/usr/bin/env node
// Time for the dashboard to render the waterfall of a 1,000-span trace in Chromium (goal, issue 16: < 500 ms):
// from navigation start until the first draw of the (virtualized) waterfall is painted (window.msxWaterfallRendered),
// so it counts the server's answer (span store read, log lines read, HTML), parsing, style, layout and first paint.
// Median of RUNS loads after one warm-up, in one page. Also: the HTML's size and the server's answer time.
//   npm run build && node bench/dashboard.mjs         (RUNS=15 SPANS=1000 to change)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const { SpanStoreWriter } = await import(join(root, 'dist/state/span-store.js'));
const { startDashboard } = await import(join(root, 'dist/dashboard/server.js'));
const RUNS = Number(process.env.RUNS ?? 9);
const SPANS = Number(process.env.SPANS ?? 1000);

const dir = mkdtempSync(join(tmpdir(), 'msx-bench-dashboard-'));
let browser;
let dashboard;
try {
  execFileSync(process.execPath, [join(root, 'bin/run.js'), 'init', 'shop'], { cwd: dir, stdio: 'ignore' });
  const ws = join(dir, 'shop');
  const traceId = 'b'.repeat(32);
  const writer = new SpanStoreWriter(ws, { flushIntervalMs: 0 });
  writer.append(trace(traceId, SPANS));
  writer.close();
  dashboard = await startDashboard({ cwd: ws });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await page.goto(dashboard.url);
  const traceUrl = `${new URL(dashboard.url).origin}/traces/${traceId}`;
  const render = [];
  const server = [];
  for (let i = 0; i <= RUNS; i++) {
    await page.goto(traceUrl);
    await page.waitForFunction(() => window.msxWaterfallRendered);
    const [rendered, responded] = await page.evaluate(() => [window.msxWaterfallRendered, performance.getEntriesByType('navigation')[0].responseEnd]);
    if (i === 0) continue; // warm-up: module loads, first reads
    render.push(rendered);
    server.push(responded);
  }
  const rows = await page.locator('#waterfall').getAttribute('data-count');
  const drawn = await page.locator('.span-row').count();
  const bytes = (await (await page.request.get(traceUrl)).body()).length;
  console.log(`dashboard waterfall, ${rows} spans (${drawn} rows in the DOM, ${(bytes / 1024).toFixed(0)} KiB of HTML), Chromium ${browser.version()}, ${RUNS} loads, load average ${loadavg()[0].toFixed(1)}:`);
  console.log(`  rendered (navigation start → waterfall painted): median ${median(render).toFixed(0)} ms (min ${Math.min(...render).toFixed(0)}, max ${Math.max(...render).toFixed(0)}); goal < 500 ms`);
  console.log(`  of which the server's answer (navigation start → response end): median ${median(server).toFixed(0)} ms`);
} finally {
  await browser?.close();
  await dashboard?.close();
  rmSync(dir, { recursive: true, force: true });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** A wide, deep trace over three services: each span has three children, about 600 ms in all. */
function trace(traceId, count) {
  const id = (i) => (i + 1).toString(16).padStart(16, '0');
  const services = ['orders', 'stock', 'mailer'];
  const start = Date.now() - 5000;
  return Array.from({ length: count }, (_, i) => ({
    traceId,
    spanId: id(i),
    parentSpanId: i === 0 ? undefined : id(Math.floor((i - 1) / 3)),
    service: services[i % 3],
    name: i === 0 ? 'GET /orders' : `SELECT stock ${i}`,
    kind: i === 0 ? 'server' : 'client',
    startMs: start + i * 0.5,
    durationMs: Math.max(1, 600 - i * 0.55),
    status: { code: i % 97 === 5 ? 'error' : 'unset' },
    attributes: { 'db.statement': `SELECT * FROM stock WHERE id = ${i}`, 'db.system': 'postgresql' },
    events: [],
    resource: { 'service.name': services[i % 3] },
  }));
}
