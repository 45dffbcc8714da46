import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../../src/collector/receiver.js';
import { traceIdOfFields, type ServiceLogLine } from '../../src/state/log-record.js';
import type { SpanRecord } from '../../src/state/span-store.js';
import { exportLogs } from '../helpers/otel-logs-export.js';
import { exportTrace } from '../helpers/otel-export.js';

interface Answer {
  status: number;
  type: string | undefined;
  body: Buffer;
}

/** One POST with a real HTTP client; `chunks` are written one by one (chunked transfer encoding, no content-length). */
function post(port: number, path: string, headers: Record<string, string>, chunks: Buffer[], method = 'POST'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

const TRACE = '5b8efff798038103d269b633813fc60c';
const jsonRequest = (spans: object[]) => ({
  resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }] }, scopeSpans: [{ scope: { name: 'manual' }, spans }] }],
});
const jsonSpan = (spanId: string, over: object = {}) => ({
  traceId: TRACE,
  spanId,
  name: 'GET /orders',
  kind: 2,
  startTimeUnixNano: '1764583200123456789',
  endTimeUnixNano: '1764583200135456789',
  attributes: [
    { key: 'http.route', value: { stringValue: '/orders' } },
    { key: 'big', value: { intValue: '9007199254740993' } },
    { key: 'nested', value: { kvlistValue: { values: [{ key: 'k', value: { arrayValue: { values: [{ intValue: 3 }, { boolValue: false }] } } }] } } },
  ],
  status: {},
  ...over,
});

describe('OTLP/HTTP receiver', () => {
  let receiver: OtlpReceiver;
  let received: SpanRecord[][];
  beforeEach(async () => {
    received = [];
    receiver = await startOtlpReceiver({ host: '127.0.0.1', port: 0, onSpans: (spans) => received.push(spans) });
  });
  afterEach(() => receiver.close());

  for (const encoding of ['protobuf', 'json'] as const) {
    for (const compression of ['none', 'gzip'] as const) {
      it(`takes what the real OTLP/HTTP ${encoding} exporter sends (compression ${compression}), links and attributes intact`, async () => {
        // Given a real tracer provider exporting one trace of a server span and its failed client child
        const sent = await exportTrace(`http://127.0.0.1:${receiver.port}`, { encoding, service: 'orders', compression });

        // Then both spans arrive as records
        const spans = received.flat();
        expect(spans.map((s) => s.spanId).sort()).toEqual([sent.serverSpanId, sent.clientSpanId].sort());
        const server = spans.find((s) => s.spanId === sent.serverSpanId)!;
        const client = spans.find((s) => s.spanId === sent.clientSpanId)!;
        expect(server).toMatchObject({
          traceId: sent.traceId,
          service: 'orders',
          name: 'GET /orders/:id',
          kind: 'server',
          status: { code: 'unset' },
          attributes: { 'http.route': '/orders/:id', 'http.response.status_code': 200, 'sample.ratio': 0.25, 'sample.ok': true, 'sample.tags': ['a', 'b'] },
          resource: { 'service.name': 'orders', 'service.version': '1.2.3' },
          scope: { name: 'msx-test', version: '0.0.1' },
        });
        expect(server.parentSpanId).toBeUndefined();
        expect(client).toMatchObject({ parentSpanId: sent.serverSpanId, kind: 'client', status: { code: 'error', message: 'out of stock' } });
        expect(client.events[0]).toMatchObject({ name: 'exception', attributes: { 'exception.message': 'out of stock', 'exception.type': 'Error' } });
        expect(Math.abs(server.startMs - Date.now())).toBeLessThan(60_000);
        expect(server.durationMs).toBeGreaterThanOrEqual(client.durationMs);
      });
    }
  }

  it('reads a chunked, gzipped JSON body and keeps nanosecond times and int64 values exact', async () => {
    const body = gzipSync(JSON.stringify(jsonRequest([jsonSpan('00f067aa0ba902b7')])));
    const answer = await post(receiver.port, '/v1/traces', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, [body.subarray(0, 10), body.subarray(10)]);

    expect(answer).toMatchObject({ status: 200, type: 'application/json' });
    expect(JSON.parse(answer.body.toString())).toEqual({});
    const [span] = received.flat();
    expect(span.startMs).toBe(1764583200123.4568);
    expect(span.durationMs).toBe(12);
    expect(span.attributes).toEqual({ 'http.route': '/orders', big: '9007199254740993', nested: { k: [3, false] } });
    expect(span).toMatchObject({ service: 'orders', kind: 'server', scope: { name: 'manual' } });
  });

  it('answers partial success for spans with invalid ids and stores the rest', async () => {
    const body = Buffer.from(JSON.stringify(jsonRequest([jsonSpan('00f067aa0ba902b7'), jsonSpan('0000000000000000'), jsonSpan('xyz')])));
    const answer = await post(receiver.port, '/v1/traces', { 'Content-Type': 'application/json' }, [body]);

    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString())).toEqual({ partialSuccess: { rejectedSpans: 2, errorMessage: 'a span has an invalid spanId (0000000000000000)' } });
    expect(received.flat().map((s) => s.spanId)).toEqual(['00f067aa0ba902b7']);
  });

  it('answers 400 with a google.rpc.Status for bodies that do not decode, in the request encoding', async () => {
    const badJson = await post(receiver.port, '/v1/traces', { 'Content-Type': 'application/json' }, [Buffer.from('{"resourceSpans": [')]);
    expect(badJson.status).toBe(400);
    expect(JSON.parse(badJson.body.toString())).toMatchObject({ code: 3 });

    const wrongShape = await post(receiver.port, '/v1/traces', { 'Content-Type': 'application/json' }, [Buffer.from('{"resourceSpans": 7}')]);
    expect(wrongShape.status).toBe(400);
    expect(JSON.parse(wrongShape.body.toString())).toEqual({ code: 3, message: 'resourceSpans is not a list' });

    const badProto = await post(receiver.port, '/v1/traces', { 'Content-Type': 'application/x-protobuf' }, [Buffer.from([0x0a, 0xff, 0xff, 0x01, 0x02])]);
    expect(badProto).toMatchObject({ status: 400, type: 'application/x-protobuf' });
    const status = protobuf.parse('syntax = "proto3"; message Status { int32 code = 1; string message = 2; }').root.lookupType('Status');
    expect(status.toObject(status.decode(badProto.body))).toMatchObject({ code: 3, message: expect.stringContaining('not a valid protobuf ExportTraceServiceRequest') });

    const badGzip = await post(receiver.port, '/v1/traces', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, [Buffer.from('not gzip')]);
    expect(badGzip.status).toBe(400);
    expect(received).toEqual([]);
  });

  it('answers 415 for a content type or encoding it does not take, 404/405 off the endpoint, 413 past the limit', async () => {
    expect((await post(receiver.port, '/v1/traces', { 'Content-Type': 'text/plain' }, [Buffer.from('x')])).status).toBe(415);
    expect((await post(receiver.port, '/v1/traces', { 'Content-Type': 'application/json', 'Content-Encoding': 'br' }, [Buffer.from('{}')])).status).toBe(415);
    expect((await post(receiver.port, '/v1/metrics', { 'Content-Type': 'application/json' }, [Buffer.from('{}')])).status).toBe(404);
    expect((await post(receiver.port, '/v1/traces', {}, [], 'GET')).status).toBe(405);
    await receiver.close();
    receiver = await startOtlpReceiver({ host: '127.0.0.1', port: 0, onSpans: () => undefined, maxBodyBytes: 1000 });
    const big = Buffer.alloc(5000, 0x20);
    expect((await post(receiver.port, '/v1/traces', { 'Content-Type': 'application/json' }, [big.subarray(0, 2500), big.subarray(2500)])).status).toBe(413);
    // A small gzip body that inflates past the limit
    expect((await post(receiver.port, '/v1/traces', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, [gzipSync(Buffer.alloc(50_000, 0x20))])).status).toBe(400);
    expect((await post(receiver.port, '/v1/traces', { 'Content-Type': 'application/json' }, [Buffer.from('{}')])).status).toBe(200);
  });

  it('answers 500 when the spans cannot be stored, so the exporter tries again', async () => {
    await receiver.close();
    receiver = await startOtlpReceiver({ host: '127.0.0.1', port: 0, onSpans: () => { throw new Error('ENOSPC: no space left on device'); } });
    const answer = await post(receiver.port, '/v1/traces', { 'Content-Type': 'application/json' }, [Buffer.from(JSON.stringify(jsonRequest([jsonSpan('00f067aa0ba902b7')])))]);
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body.toString())).toEqual({ code: 13, message: 'ENOSPC: no space left on device' });
  });
});

describe('OTLP/HTTP receiver: logs (/v1/logs)', () => {
  let receiver: OtlpReceiver;
  let lines: ServiceLogLine[];
  beforeEach(async () => {
    lines = [];
    receiver = await startOtlpReceiver({ host: '127.0.0.1', port: 0, onSpans: () => undefined, onLogs: (batch) => lines.push(...batch) });
  });
  afterEach(() => receiver.close());

  for (const encoding of ['protobuf', 'json'] as const) {
    it(`takes what the real OTLP/HTTP ${encoding} logs exporter sends, as log lines of the service with its trace ids`, async () => {
      await exportLogs(`http://127.0.0.1:${receiver.port}`, { encoding, service: 'orders', traceId: TRACE, spanId: '00f067aa0ba902b7' });
      expect(lines.map((line) => [line.service, line.stream])).toEqual([['orders', 'stdout'], ['orders', 'stdout']]);
      expect(lines[0].fields).toMatchObject({ level: 'warn', msg: 'stock is low', trace_id: TRACE, span_id: '00f067aa0ba902b7', 'stock.sku': 'sku-1', 'stock.left': 2 });
      expect(Date.parse(String(lines[0].fields?.time))).toBeGreaterThan(Date.parse('2026-01-01'));
      expect(lines[1].fields).toMatchObject({ level: 'info', msg: '{"event":"started","port":3000}' });
      expect(lines[1].fields).not.toHaveProperty('trace_id');
      // The line is the JSON text the log file keeps, so msx logs and the trace index read it as any other.
      expect(JSON.parse(lines[0].text)).toEqual(lines[0].fields);
    });
  }

  it('rejects records whose service.name is no valid name (a path) or none, with a partial success; maps severities', async () => {
    const record = (severityNumber: number | string, severityText?: string) => ({ timeUnixNano: '1764583200123456789', severityNumber, severityText, body: { stringValue: 'x' } });
    const body = {
      resourceLogs: [
        { resource: { attributes: [{ key: 'service.name', value: { stringValue: '../../etc' } }] }, scopeLogs: [{ logRecords: [record(9)] }] },
        { resource: { attributes: [] }, scopeLogs: [{ logRecords: [record(9)] }] },
        { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'stock' } }] }, scopeLogs: [{ logRecords: [record(1), record(6), record(17), record(24), record('SEVERITY_NUMBER_WARN3'), record(0, 'Error'), record(0)] }] },
      ],
    };
    const answer = await post(receiver.port, '/v1/logs', { 'Content-Type': 'application/json' }, [Buffer.from(JSON.stringify(body))]);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString())).toEqual({ partialSuccess: { rejectedLogRecords: 2, errorMessage: 'log records rejected: service.name "../../etc" is a path; use a plain name like "orders"' } });
    expect(lines.map((line) => line.fields?.level)).toEqual(['trace', 'debug', 'error', 'fatal', 'warn', 'error', 'info']);
    expect(lines[0].fields?.time).toBe('2025-12-01T10:00:00.123Z');
  });

  it('takes records only for the services isService names: any other name is a partial success and opens nothing', async () => {
    await receiver.close();
    receiver = await startOtlpReceiver({ host: '127.0.0.1', port: 0, onSpans: () => undefined, onLogs: (batch) => lines.push(...batch), isService: (name) => name === 'stock' });
    const resource = (name: string) => ({ resource: { attributes: [{ key: 'service.name', value: { stringValue: name } }] }, scopeLogs: [{ logRecords: [{ timeUnixNano: '1764583200123456789', body: { stringValue: name } }] }] });
    const body = { resourceLogs: [resource('stock'), ...Array.from({ length: 50 }, (_, i) => resource(`svc-${i}`))] };
    const answer = await post(receiver.port, '/v1/logs', { 'Content-Type': 'application/json' }, [Buffer.from(JSON.stringify(body))]);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString())).toEqual({ partialSuccess: { rejectedLogRecords: 50, errorMessage: 'log records rejected: service.name "svc-0" is not a service of this workspace (msx.yaml)' } });
    expect(lines.map((line) => line.service)).toEqual(['stock']);
  });

  it('keeps a record whose time no date can hold (now instead), and lets no attribute stand in for the fields msx reads', async () => {
    const attributes = [
      { key: 'trace_id', value: { stringValue: 'not-a-trace' } },
      { key: 'traceId', value: { stringValue: '0af7651916cd43dd8448eb211c80319c' } },
      { key: 'level', value: { stringValue: 'fatal' } },
      { key: 'constructor', value: { stringValue: 'kept' } },
      { key: 'toString', value: { stringValue: 'kept too' } },
    ];
    const body = {
      resourceLogs: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'stock' } }] },
        scopeLogs: [{ logRecords: [{ timeUnixNano: '99999999999999999999999', body: { stringValue: 'far' }, attributes }, { timeUnixNano: '1764583200123456789', body: { stringValue: 'near' } }] }],
      }],
    };
    const before = Date.now();
    const answer = await post(receiver.port, '/v1/logs', { 'Content-Type': 'application/json' }, [Buffer.from(JSON.stringify(body))]);
    expect(answer.status).toBe(200);
    expect(lines.map((line) => line.fields?.msg)).toEqual(['far', 'near']);
    const far = lines[0].fields!;
    expect(Date.parse(String(far.time))).toBeGreaterThanOrEqual(before - 1000);
    expect(far.trace_id).toBeUndefined();
    expect(far.traceId).toBeUndefined();
    expect(traceIdOfFields(far)).toBeUndefined();
    expect(far.level).toBe('info');
    expect(far.constructor).toBe('kept');
    expect(far.toString).toBe('kept too');
    expect(lines[1].fields?.time).toBe('2025-12-01T10:00:00.123Z');
  });

  it('answers 400 for a logs body that does not decode, and 404 at /v1/logs when nothing takes logs', async () => {
    const bad = await post(receiver.port, '/v1/logs', { 'Content-Type': 'application/x-protobuf' }, [Buffer.from([0x0a, 0xff, 0xff])]);
    expect(bad.status).toBe(400);
    expect(lines).toEqual([]);
    await receiver.close();
    receiver = await startOtlpReceiver({ host: '127.0.0.1', port: 0, onSpans: () => undefined });
    const none = await post(receiver.port, '/v1/logs', { 'Content-Type': 'application/json' }, [Buffer.from('{}')]);
    expect(none.status).toBe(404);
  });
});
