#!/usr/bin/env node
// Usage: gen-logs.mjs DIR [LINES]
// Writes DIR/msx.yaml and DIR/.msx/logs/<service>.ndjson for five services through
// the local runtime's own log writer (dist/state/log-file.js: the same
// format and trace index the supervisor writes), LINES lines in all (default
// 1,000,000, ~300 MB). Requests
// go storefront → orders → stock (gRPC) + payments, and orders' event → mailer, each
// hop with its own span. A few known traces are scattered through the files (one
// with an error and a stack trace). Prints {"traceIds":[...],"expected":{id:count},"lines":N,"bytes":B,"writeMs":W},
// W being the time spent in the writer (parsing each line as the supervisor does, writing it, indexing it).
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceLogFile } from '../dist/state/log-file.js';

const [dir, linesArg] = process.argv.slice(2);
if (!dir) {
  console.error('usage: gen-logs.mjs DIR [LINES]');
  process.exit(2);
}
const TARGET = Number(linesArg ?? 1_000_000);
const SERVICES = ['storefront', 'orders', 'stock', 'payments', 'mailer'];
const logs = join(dir, '.msx', 'logs');
mkdirSync(logs, { recursive: true });
writeFileSync(join(dir, 'msx.yaml'), workspaceYaml());

// Deterministic pseudo-random numbers (mulberry32), so every run writes the same files.
let seed = 0x5eed;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(random() * 16)]).join('');

const files = Object.fromEntries(SERVICES.map((s) => [s, { writer: new ServiceLogFile(logs, s), out: [] }]));
let clock = Date.parse('2026-11-26T06:00:00.000Z');
let written = 0;
let bytes = 0;
let req = 0;
let end = 0; // when the current request's last hop ends: requests do not overlap, so each file stays in time order
let tracedLines = 0; // lines carrying a trace id: what grep -F finds

/** One line of the service's output, received a millisecond or two after the service wrote it. */
function emit(service, time, stream, text) {
  const ts = new Date(time + 1 + Math.floor(random() * 2)).toISOString();
  const file = files[service];
  file.out.push({ service, stream, receivedAt: ts, text });
  written += 1;
  if (file.out.length >= 4096) flush(file);
}

let writeMs = 0;
/** Hands the lines to the runtime's writer, as the supervisor does (JSON lines parsed: src/state/log-record.ts toLogLine). */
function flush(file) {
  const t0 = performance.now();
  for (const line of file.out) {
    if (line.text.startsWith('{')) line.fields = JSON.parse(line.text);
    file.writer.write(line);
  }
  writeMs += performance.now() - t0;
  file.out = [];
}

/** The writer does not wait for the disk: let it catch up now and then, so memory stays small. */
async function drain() {
  for (const [service, file] of Object.entries(files)) {
    flush(file);
    await file.writer.close();
    file.writer = new ServiceLogFile(logs, service);
  }
}

function pino(service, time, level, span, parent, trace, extra, msg) {
  tracedLines += 1;
  const parentField = parent ? `,"parent_span_id":"${parent}"` : '';
  return `{"level":"${level}","time":"${new Date(time).toISOString()}","service":"${service}","reqId":"req-${req}","trace_id":"${trace}","span_id":"${span}"${parentField}${extra},"msg":"${msg}"}`;
}

/**
 * One hop: an incoming line, maybe a debug line, the calls it makes (which
 * return when they end), and its completion line. Returns when it ends.
 */
function hop(service, start, trace, parent, { method = 'GET', url = '/', status = 200, grpc, event, outcome, fail } = {}, calls) {
  const span = hex(16);
  const where = grpc ? `,"rpc":"${url}"` : event ? `,"event":"${event}"` : `,"method":"${method}","url":"${url}"`;
  emit(service, start, 'stdout', pino(service, start, 'info', span, parent, trace, where, grpc ? 'call received' : event ? 'event received' : 'incoming request'));
  if (random() < 0.3) emit(service, start + 1, 'stdout', pino(service, start + 1, 'debug', span, parent, trace, ',"cache":"miss","rows":3', 'loaded from database'));
  const callsEnd = calls ? calls(span, start + 2) : start + 1;
  const duration = Math.max(callsEnd - start + 1, 2 + Math.floor(random() * 8));
  if (fail) {
    const at = start + duration - 1;
    emit(service, at, 'stdout', pino(service, at, 'error', span, parent, trace, ',"err":{"type":"Error","message":"card declined"}', 'payment failed'));
    emit(service, at, 'stdout', 'Error: card declined');
    emit(service, at, 'stdout', '    at charge (/app/src/payments.ts:42:11)');
    emit(service, at, 'stdout', '    at processTicksAndRejections (node:internal/process/task_queues:95:5)');
  }
  const done = grpc ? `,"grpc_code":${status}` : event ? `,"outcome":"${outcome ?? 'ack'}"` : `,"status":${status}`;
  emit(service, start + duration, 'stdout', pino(service, start + duration, fail ? 'error' : 'info', span, parent, trace, `${where}${done},"duration_ms":${duration}`, grpc ? 'call completed' : event ? 'event handled' : 'request completed'));
  end = Math.max(end, start + duration);
  return start + duration;
}

/** storefront → orders → stock (gRPC), then payments; orders publishes order.placed, which mailer consumes. */
function request(trace, fail = false) {
  req += 1;
  const status = fail ? 502 : 201;
  hop('storefront', clock, trace, hex(16), { method: 'POST', url: '/api/orders', status }, (storefront, t1) =>
    hop('orders', t1, trace, storefront, { method: 'POST', url: '/orders', status }, (orders, t2) => {
      const reserved = hop('stock', t2, trace, orders, { grpc: true, url: 'stock.Stock/Reserve', status: 0 });
      const paid = hop('payments', reserved + 1, trace, orders, { method: 'POST', url: '/charges', status: fail ? 500 : 200, fail });
      // The consumer runs on its own time: orders does not wait for it.
      if (!fail) hop('mailer', paid + 2, trace, orders, { event: 'order.placed', outcome: 'ack' });
      return paid;
    }),
  );
  clock = end + 1 + Math.floor(random() * 3);
}

const known = [hex(32), hex(32), hex(32)];
const expected = Object.fromEntries(known.map((id) => [id, 0]));
const places = [0.1, 0.5, 0.9].map((p) => Math.floor(p * TARGET));
let drained = 0;
while (written < TARGET) {
  if (written - drained >= 200_000) {
    await drain();
    drained = written;
  }
  const next = places.findIndex((p) => p >= 0 && written >= p);
  if (next >= 0) {
    const before = tracedLines;
    request(known[next], next === 1);
    expected[known[next]] = tracedLines - before;
    places[next] = -1;
  } else {
    request(hex(32));
  }
}
for (const file of Object.values(files)) {
  flush(file);
  await file.writer.close();
}
for (const service of SERVICES) bytes += statSync(join(logs, `${service}.ndjson`)).size;
console.log(JSON.stringify({ traceIds: known, expected, lines: written, bytes, writeMs: Math.round(writeMs) }));

function workspaceYaml() {
  const services = SERVICES.map((s, i) => `  ${s}:\n    kind: ${s === 'stock' ? 'grpc' : s === 'mailer' ? 'consumer' : 'rest'}\n    context: bench\n    path: contexts/bench/${s}\n    port: ${4100 + i}\n`);
  return `version: 1\nname: bench\nservices:\n${services.join('')}`;
}
