import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseDocument } from 'yaml';
import { sampleRequestBody, type OpenApiDocument } from '../../src/generators/openapi-sample.js';
import type { TraceHop } from '../../src/logs/trace-tree.js';
import { localAmqpNamespace } from '../../src/models/wiring.js';
import { logsDir, serviceLogPath } from '../../src/state/paths.js';
import { makeTempDir, MSX_BIN, removeDir, runCli } from '../helpers/cli.js';
import { serviceAuthorization } from '../helpers/service-token.js';
import { npmInstall } from '../helpers/processes.js';
import { deleteBrokerObjects } from '../helpers/broker-objects.js';

// Generated services export OpenTelemetry spans over OTLP/HTTP JSON (issue 16), on real
// processes started by `msx up` and the real RabbitMQ: orders (REST) calls stock (gRPC) and
// publishes order.placed, which mailer consumes. A receiver this test starts is the
// services' OTEL_EXPORTER_OTLP_ENDPOINT (set through msx.yaml config); the spans of one
// request arrive from all three with their parent/child links; a receiver that holds its
// answers, or is gone, does not hold or fail a request.

const PORTS = { orders: 42001, stock: 42002, mailer: 42003, receiver: 42010 };
const SERVICES = ['orders', 'stock', 'mailer'] as const;
// OTLP JSON span kinds: the API's SpanKind + 1.
const KIND = { server: 2, client: 3, producer: 4, consumer: 5 } as const;

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: OtlpValue }[];
  status?: { code?: number };
}
/** One received span, with the service.name of its resource and its attributes as plain values. */
interface Received {
  service: string;
  span: OtlpSpan;
  attributes: Record<string, string | number | boolean | undefined>;
}
interface Export {
  service: string;
  answered: boolean;
  res: ServerResponse;
}

/** An OTLP/HTTP JSON receiver: reads each (chunked) POST /v1/traces; `hold` keeps the answers back. */
class Receiver {
  spans: Received[] = [];
  held: Export[] = [];
  hold = false;
  #server: Server | undefined;

  async start(): Promise<void> {
    this.#server = createServer((req, res) => void this.#take(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(PORTS.receiver, '127.0.0.1', resolve));
  }

  async #take(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans: { resource: { attributes: OtlpSpan['attributes'] }; scopeSpans: { spans: OtlpSpan[] }[] }[] };
    let service = '';
    for (const { resource, scopeSpans } of body.resourceSpans) {
      service = String(valueOf(resource.attributes.find((a) => a.key === 'service.name')?.value));
      for (const { spans } of scopeSpans) for (const span of spans) this.spans.push({ service, span, attributes: Object.fromEntries(span.attributes.map((a) => [a.key, valueOf(a.value)])) });
    }
    const exported: Export = { service, answered: false, res };
    if (this.hold) this.held.push(exported);
    else answer(exported);
  }

  release(): void {
    this.hold = false;
    for (const exported of this.held) if (!exported.answered) answer(exported);
  }

  /** Closes the port: the services' next exports meet a refused connection. */
  async stop(): Promise<void> {
    this.release();
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  ofTrace(traceId: string): Received[] {
    return this.spans.filter((r) => r.span.traceId === traceId);
  }
}

function answer(exported: Export): void {
  exported.answered = true;
  exported.res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
}

function valueOf(value: OtlpValue | undefined): string | number | boolean | undefined {
  if (!value) return undefined;
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.boolValue;
}

/** The built CLI, asynchronously: the receiver in this process must keep answering meanwhile. */
function runCliAsync(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const { NODE_ENV: _test, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, [MSX_BIN, ...args], { cwd, env: { ...env, NO_COLOR: '1' }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('OpenTelemetry spans across REST → gRPC → consumer, exported over OTLP/HTTP', () => {
  const receiver = new Receiver();
  let root: string;
  let ws: string;
  let body: unknown;

  beforeAll(async () => {
    root = makeTempDir();
    ws = join(root, 'otelspans');
    expect(runCli(['init', 'otelspans'], root).code).toBe(0);
    const made = [
      ['stock', '--kind', 'grpc', '--context', 'warehouse', '--port', String(PORTS.stock)],
      ['orders', '--kind', 'rest', '--context', 'ordering', '--port', String(PORTS.orders), '--depends-on', 'stock', '--publishes', 'order.placed'],
      ['mailer', '--kind', 'consumer', '--context', 'engagement', '--port', String(PORTS.mailer), '--subscribes', 'order.placed'],
    ];
    for (const args of made) expect(runCli(['new', 'service', ...args], ws).stderr).toBe('');
    exportTo(ws, `http://127.0.0.1:${PORTS.receiver}`);
    for (const dir of ['warehouse/stock', 'ordering/orders', 'engagement/mailer']) npmInstall(join(ws, 'contexts', dir));
    await receiver.start();
    const up = await runCliAsync(['up', '--detach', '--json'], ws);
    expect(up.code, up.stderr + up.stdout).toBe(0);
    const document = (await (await fetch(`http://127.0.0.1:${PORTS.orders}/openapi.json`)).json()) as OpenApiDocument;
    body = sampleRequestBody(document, '/orders');
  }, 600_000);

  afterAll(async () => {
    try {
      if (ws) await runCliAsync(['down'], ws);
      await receiver.stop();
    } finally {
      // The queues outlive `msx down` (durable, as on a user's broker): removed even when down failed, and a failure here fails the suite.
      const mailerDir = ws && join(ws, 'contexts', 'engagement', 'mailer');
      if (mailerDir && existsSync(join(mailerDir, 'node_modules'))) {
        await deleteBrokerObjects({ name: 'otelspans', root: ws }, mailerDir, { service: 'mailer', event: 'order.placed' });
      }
      if (root) removeDir(root);
    }
  }, 120_000);

  const placeOrder = async (traceId: string, callerSpan = randomBytes(8).toString('hex')) => {
    const response = await fetch(`http://127.0.0.1:${PORTS.orders}/orders`, {
      method: 'POST',
      // POST /orders is an internal route: a caller signs a service token with the workspace key.
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpan}-01`, authorization: await serviceAuthorization(ws, 'otelspans', 'orders') },
      body: JSON.stringify(body),
    });
    await response.body?.cancel();
    return response.status;
  };

  it('receives the spans of one request from all three services, one trace, each server span a child of its caller\'s client span', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    expect(await placeOrder(traceId, callerSpan)).toBe(201);

    const spanOf = (service: string, kind: number) => receiver.ofTrace(traceId).filter((r) => r.service === service && r.span.kind === kind);
    await vi.waitFor(() => {
      expect(spanOf('orders', KIND.server)).toHaveLength(1);
      expect(spanOf('stock', KIND.server)).toHaveLength(1);
      expect(spanOf('mailer', KIND.consumer)).toHaveLength(1);
    }, { timeout: 20_000, interval: 100 });

    const [ordersServer] = spanOf('orders', KIND.server);
    const [grpcClient] = spanOf('orders', KIND.client);
    const [producer] = spanOf('orders', KIND.producer);
    const [stockServer] = spanOf('stock', KIND.server);
    const [mailerConsumer] = spanOf('mailer', KIND.consumer);
    expect(new Set(receiver.ofTrace(traceId).map((r) => r.span.traceId))).toEqual(new Set([traceId]));

    expect(ordersServer.span.parentSpanId).toBe(callerSpan);
    expect(ordersServer.span.name).toBe('POST /orders');
    expect(ordersServer.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/orders', 'http.response.status_code': 201 });

    expect(grpcClient.span.parentSpanId).toBe(ordersServer.span.spanId);
    expect(stockServer.span.parentSpanId).toBe(grpcClient.span.spanId);
    for (const rpc of [grpcClient, stockServer]) {
      expect(rpc.attributes).toMatchObject({ 'rpc.system': 'grpc', 'rpc.service': 'stock.v1.StockService', 'rpc.method': 'CreateStock', 'rpc.grpc.status_code': 0 });
    }

    expect(producer.span.parentSpanId).toBe(ordersServer.span.spanId);
    expect(mailerConsumer.span.parentSpanId).toBe(producer.span.spanId);
    const namespace = localAmqpNamespace({ name: 'otelspans', root: ws });
    for (const messaging of [producer, mailerConsumer]) {
      expect(messaging.attributes).toMatchObject({ 'messaging.system': 'rabbitmq', 'messaging.destination.name': `${namespace}.events`, 'messaging.rabbitmq.destination.routing_key': 'order.placed' });
    }
    expect(producer.attributes).toMatchObject({ 'messaging.operation.name': 'publish', 'messaging.operation.type': 'send' });
    expect(mailerConsumer.attributes['messaging.operation.type']).toBe('process');
    // The deprecated key the .type and .name ones replaced is not sent.
    expect(producer.attributes).not.toHaveProperty('messaging.operation');
    expect(mailerConsumer.attributes).not.toHaveProperty('messaging.operation');
    for (const r of receiver.ofTrace(traceId)) expect(r.span.status?.code ?? 0, r.span.name).not.toBe(2);

    // The log lines still link the hops on their own (tracestate names the caller's hop).
    const logs = runCli(['logs', '--trace-id', traceId, '--json'], ws);
    const tree = (JSON.parse(logs.stdout) as { tree: TraceHop[] }).tree;
    expect(tree.map((hop) => hop.service)).toEqual(['orders']);
    expect(tree[0].children.map((hop) => hop.service).sort()).toEqual(['mailer', 'stock']);
  }, 60_000);

  it('answers requests while the receiver holds every service\'s export unanswered', async () => {
    receiver.hold = true;
    const first = randomBytes(16).toString('hex');
    expect(await placeOrder(first)).toBe(201);
    // Each service's batch processor has sent its batch and waits for the answer.
    await vi.waitFor(() => expect(new Set(receiver.held.map((e) => e.service))).toEqual(new Set(SERVICES)), { timeout: 20_000, interval: 50 });

    const during = Array.from({ length: 5 }, () => randomBytes(16).toString('hex'));
    for (const traceId of during) expect(await placeOrder(traceId)).toBe(201);
    // Still held when every request above was answered: nothing waited for an export.
    expect(receiver.held.every((e) => !e.answered)).toBe(true);
    await vi.waitFor(() => expect(logLines('mailer').some((l) => l.trace_id === during[4] && l.msg === 'message handled')).toBe(true), { timeout: 20_000 });

    receiver.release();
    // Queued meanwhile, sent once the receiver answers again.
    await vi.waitFor(() => expect(receiver.ofTrace(during[4]).filter((r) => r.span.kind === KIND.consumer)).toHaveLength(1), { timeout: 20_000, interval: 100 });
  }, 90_000);

  it('answers requests with the receiver gone, each service saying so in one WARN line', async () => {
    await receiver.stop();
    for (let i = 0; i < 5; i += 1) expect(await placeOrder(randomBytes(16).toString('hex'))).toBe(201);
    const warnings = (service: string) => logLines(service).filter((l) => l.msg === 'span export failed; spans are dropped while it fails (logged once)');
    await vi.waitFor(() => {
      for (const service of SERVICES) expect(warnings(service), service).toHaveLength(1);
    }, { timeout: 30_000, interval: 200 });
    for (let i = 0; i < 3; i += 1) expect(await placeOrder(randomBytes(16).toString('hex'))).toBe(201);
    const ps = JSON.parse(runCli(['ps', '--json'], ws).stdout) as { services: { service: string; state: string }[] };
    expect(ps.services.map((s) => s.state)).toEqual(['ready', 'ready', 'ready']);
    for (const service of SERVICES) expect(warnings(service)).toHaveLength(1);
  }, 90_000);

  /** The service's own JSON log lines, from msx's log file. */
  function logLines(service: string): Record<string, unknown>[] {
    const path = serviceLogPath(logsDir(ws), service);
    if (!existsSync(path)) return [];
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { line: unknown }).line)
      .filter((line): line is Record<string, unknown> => typeof line === 'object' && line !== null);
  }
});

/** Every service exports to `endpoint` (msx.yaml config → env) as http/json (the receiver reads JSON; the default is protobuf), in short batches and with a short export timeout. */
function exportTo(ws: string, endpoint: string): void {
  const file = join(ws, 'msx.yaml');
  const document = parseDocument(readFileSync(file, 'utf8'));
  for (const service of SERVICES) {
    document.setIn(['services', service, 'config'], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: 100, OTEL_EXPORTER_OTLP_TIMEOUT: 5000 });
  }
  writeFileSync(file, document.toString());
}

