// msx's OTLP collector ingest on one core beside a bare node:http server that
// only reads and discards the same bodies. The bodies are what the real
// OpenTelemetry OTLP/proto exporter (@opentelemetry/exporter-trace-otlp-proto,
// BatchSpanProcessor, 512 spans a request) sends for traces of 3 spans with
// semantic-convention attributes, captured once. Each server runs in its own
// process (bench/collector-server.mjs); this process posts the bodies over
// keep-alive connections (CONCURRENCY at once) for SECONDS. Prints spans/s
// (wall), spans per CPU-second of the server process (its utime+stime from
// /proc: "on one core"), and the server's peak RSS (VmHWM).
// Goal (issue 16): >= 20,000 spans/s on one core.
// Usage: node bench/collector.mjs        DURATION=10 CONCURRENCY=4 node bench/collector.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

const SECONDS = Number(process.env.DURATION ?? 5);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 4);
const TRACES = 3413; // 10,239 spans: 20 requests of up to 512

async function captureBodies() {
  const bodies = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      bodies.push({ type: req.headers['content-type'], body: Buffer.concat(chunks) });
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${server.address().port}/v1/traces` });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders', 'service.version': '1.0.0' }),
    spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 512, maxQueueSize: 20_000, scheduledDelayMillis: 50 })],
  });
  const tracer = provider.getTracer('bench');
  for (let t = 0; t < TRACES; t++) {
    const server = tracer.startSpan('POST /orders', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'http.route': '/orders', 'url.path': '/orders', 'http.response.status_code': 201 } });
    const inServer = trace.setSpan(context.active(), server);
    const grpc = tracer.startSpan('stock.Stock/Reserve', { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'grpc', 'rpc.service': 'stock.Stock', 'rpc.method': 'Reserve', 'server.address': '127.0.0.1' } }, inServer);
    grpc.end();
    const publish = tracer.startSpan('order.placed publish', { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'rabbitmq', 'messaging.destination.name': 'shop.events', 'messaging.operation.type': 'publish' } }, inServer);
    publish.end();
    server.end();
  }
  await provider.forceFlush();
  await provider.shutdown();
  server.close();
  return bodies;
}


function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, clock ticks of 10 ms
}

function peakRssMb(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return Math.round(Number(line.split(/\s+/)[1]) / 1024);
}

function post(agent, port, { type, body }) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', agent, headers: { 'Content-Type': type, 'Content-Length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function run(kind, bodies, spansPerBody) {
  const ws = mkdtempSync(join(tmpdir(), 'msx-bench-collector-'));
  const child = spawn(process.execPath, [new URL('./collector-server.mjs', import.meta.url).pathname, kind, ws], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  // warm-up: every body once
  for (const body of bodies) await post(agent, port, body);
  const cpuBefore = cpuMs(child.pid);
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  let requests = 0;
  let spans = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      for (let i = worker; performance.now() < deadline; i += CONCURRENCY) {
        await post(agent, port, bodies[i % bodies.length]);
        requests += 1;
        spans += spansPerBody[i % bodies.length];
      }
    }),
  );
  const wallMs = performance.now() - started;
  const cpu = cpuMs(child.pid) - cpuBefore;
  const rss = peakRssMb(child.pid);
  agent.destroy();
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(ws, { recursive: true, force: true });
  return { kind, requests, spans, wallMs, cpuMs: cpu, rss };
}

const bodies = await captureBodies();
const totalBytes = bodies.reduce((sum, b) => sum + b.body.length, 0);
// Spans per body: the exporter fills each request to 512 but the last.
const spansPerBody = bodies.map((_, i) => (i < bodies.length - 1 ? 512 : TRACES * 3 - 512 * (bodies.length - 1)));
console.log(`bodies: ${bodies.length} OTLP/proto requests from the real exporter, ${TRACES * 3} spans, ${(totalBytes / bodies.length / 1024).toFixed(0)} KiB each on average (${bodies[0].type})`);
console.log(`load: ${CONCURRENCY} keep-alive connections for ${SECONDS} s per server, after a warm-up pass`);
const results = [];
for (const kind of ['bare', 'collector']) results.push(await run(kind, bodies, spansPerBody));
for (const r of results) {
  const label = r.kind === 'bare' ? 'bare node:http (read + discard)' : 'msx collector (decode + store)';
  console.log(
    `${label.padEnd(32)} ${String(Math.round((r.spans * 1000) / r.wallMs)).padStart(8)} spans/s wall  ${String(Math.round((r.spans * 1000) / Math.max(r.cpuMs, 1))).padStart(8)} spans per server CPU-second  ` +
      `server CPU ${Math.round((r.cpuMs / r.wallMs) * 100)}% of a core  peak RSS ${r.rss} MB  (${r.requests} requests)`,
  );
}
const [bare, collector] = results;
console.log(`collector per CPU-second: ${((collector.spans / collector.cpuMs) / (bare.spans / bare.cpuMs) * 100).toFixed(1)}% of bare   (goal: >= 20,000 spans per CPU-second)`);
