// Writes TRACES traces (3 spans each: a REST server span, a gRPC client span
// under it, the gRPC server span under that; 1 in 20 with an error) into
// WS/.msx/spans through msx's own span store writer (dist/), in batches as the
// collector receives them, and a one-service msx.yaml. Prints JSON: the
// slowest trace id (the latest among equals, as msx orders them) and its duration, the bytes written, the write time.
// Usage: node bench/gen-spans.mjs WS TRACES
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpanStoreWriter } from '../dist/state/span-store.js';

const [ws, countText = '100000'] = process.argv.slice(2);
const traces = Number(countText);
mkdirSync(ws, { recursive: true });
writeFileSync(join(ws, 'msx.yaml'), 'version: 1\nname: bench\nservices:\n  orders: { kind: rest, context: ordering, path: contexts/ordering/orders, port: 42190 }\n  stock: { kind: grpc, context: warehouse, path: contexts/warehouse/stock, port: 42191 }\n');
const hex = (n, width) => n.toString(16).padStart(width, '0');
const start = Date.now() - traces * 10;
let slowest = { traceId: '', durationMs: -1 };
const writer = new SpanStoreWriter(ws, { flushIntervalMs: 0 });
const t0 = performance.now();
let batch = [];
for (let t = 0; t < traces; t++) {
  const traceId = hex(t + 1, 8) + 'a5c3e1f0b2d49687' + hex(t * 7919 % 0xffffffff, 8);
  const at = start + t * 10;
  const duration = 5 + ((t * 2654435761) % 1000) / 10;
  if (duration >= slowest.durationMs) slowest = { traceId, durationMs: duration };
  const error = t % 20 === 0;
  const common = { traceId, attributes: {}, events: [], resource: {} };
  const root = hex(t * 3 + 1, 16);
  const client = hex(t * 3 + 2, 16);
  batch.push(
    { ...common, spanId: root, service: 'orders', name: 'POST /orders', kind: 'server', startMs: at, durationMs: duration, status: { code: 'unset' },
      attributes: { 'http.route': '/orders', 'http.request.method': 'POST', 'http.response.status_code': error ? 500 : 201 }, resource: { 'service.name': 'orders' } },
    { ...common, spanId: client, parentSpanId: root, service: 'orders', name: 'stock.Stock/Reserve', kind: 'client', startMs: at + 1, durationMs: duration - 2, status: { code: error ? 'error' : 'unset' },
      attributes: { 'rpc.system': 'grpc', 'rpc.method': 'Reserve' }, resource: { 'service.name': 'orders' } },
    { ...common, spanId: hex(t * 3 + 3, 16), parentSpanId: client, service: 'stock', name: 'stock.Stock/Reserve', kind: 'server', startMs: at + 1.5, durationMs: duration - 3, status: { code: error ? 'error' : 'unset' },
      attributes: { 'rpc.system': 'grpc', 'rpc.method': 'Reserve' }, resource: { 'service.name': 'stock' } },
  );
  if (batch.length >= 512) {
    writer.append(batch);
    batch = [];
  }
  if (t % 2000 === 1999) writer.flush(); // about once a second at 6,000 spans/s
}
writer.append(batch);
writer.close();
const writeMs = performance.now() - t0;
const dir = join(ws, '.msx', 'spans');
const bytes = readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
console.log(JSON.stringify({ slowest, bytes, writeMs: Math.round(writeMs), spans: traces * 3 }));
