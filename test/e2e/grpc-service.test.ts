import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWorkspace } from '../../src/models/load-workspace.js';
import type { Service } from '../../src/models/workspace.js';
import { probeReadiness } from '../../src/runtimes/probes.js';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';
import { freePort, killGroup, mustRun, npmInstall, startProcess, waitForStatus, type StartedProcess } from '../helpers/processes.js';

// The path a user takes with a gRPC service: the built CLI makes it; it
// installs, type-checks, passes its own tests; started, a real @grpc/grpc-js
// client (the service's own copy, so msx needs no gRPC dependency) calls it
// with a traceparent, watches a deadline pass, and sees health go from SERVING
// to NOT_SERVING on SIGTERM. A REST service that depends on it calls it on
// every POST and answers 503 once it is gone.

const SERVING = 1;
const NOT_SERVING = 2;
const DEADLINE_EXCEEDED = 4;
const INVALID_ARGUMENT = 3;

// Installing, testing and building a generated service can outlast the default 30 s on a busy machine.
describe('msx new service --kind grpc, end to end', { timeout: 120_000 }, () => {
  let root: string;
  let ws: string;
  let stockDir: string;
  let ordersDir: string;
  let grpc: Grpc;
  const running: StartedProcess[] = [];

  beforeAll(() => {
    root = makeTempDir();
    expect(runCli(['init', 'shop'], root).code).toBe(0);
    ws = join(root, 'shop');
    const stock = runCli(['new', 'service', 'stock', '--kind', 'grpc', '--context', 'warehouse'], ws);
    expect(stock.stderr).toBe('');
    const orders = runCli(['new', 'service', 'orders', '--kind', 'rest', '--context', 'ordering', '--depends-on', 'stock'], ws);
    expect(orders.stderr).toBe('');
    stockDir = join(ws, 'contexts', 'warehouse', 'stock');
    ordersDir = join(ws, 'contexts', 'ordering', 'orders');
    npmInstall(stockDir);
    npmInstall(ordersDir);
    grpc = loadGrpc(stockDir);
  });

  afterAll(() => {
    for (const started of running) killGroup(started.child);
    removeDir(root);
  });

  it('is registered in msx.yaml, and its dependents get its proto byte for byte', () => {
    const workspace = parseWorkspace(readFileSync(join(ws, 'msx.yaml'), 'utf8'), ws);
    expect(workspace.services.find((s) => s.name === 'stock')).toMatchObject({ kind: 'grpc', context: 'warehouse' });
    const served = readFileSync(join(stockDir, 'proto', 'stock.proto'));
    expect(readFileSync(join(ordersDir, 'proto', 'stock.proto')).equals(served)).toBe(true);
    expect(served.toString()).toMatch(/service StockService \{[\s\S]*rpc ListStock \(ListStockRequest\) returns \(stream Stock\)/);
  });

  it('type-checks and passes its own tests', () => {
    mustRun('npm', ['run', 'typecheck'], stockDir);
    expect(mustRun('npm', ['test'], stockDir)).toMatch(/Tests\s+\d+ passed/);
  }, 180_000); // tsc + vitest of a whole service: ~40 s on a loaded 2-core machine

  it('answers a real client in the caller\'s trace, honours deadlines, and drains on SIGTERM', async () => {
    mustRun('npm', ['run', 'build'], stockDir);
    const port = await freePort();
    const env = { PORT: String(port), SERVICE_NAME: 'stock', SHUTDOWN_DRAIN_MS: '2000', TEST_GET_DELAY_MS: '5000' };
    const stock = startProcess(process.execPath, ['dist/main.js'], stockDir, env);
    running.push(stock);
    const client = grpc.connect(`127.0.0.1:${port}`);

    // Given it is started: Health/Check says SERVING, also to msx's own raw HTTP/2 probe.
    await until(async () => (await client.check().catch(() => 0)) === SERVING);
    expect(await probeReadiness({ kind: 'grpc' } as Service, '127.0.0.1', port)).toMatchObject({ ready: true });
    expect(await client.listServices()).toContain('stock.v1.StockService');

    // When a call carries a traceparent, its answer and every log line of it carry the trace id.
    const traceId = randomBytes(16).toString('hex');
    const created = await client.unary('CreateStock', { name: 'bolts' }, { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
    expect(created.response).toMatchObject({ name: 'bolts', id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(created.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    // The answer can arrive before the server's log lines have crossed its stdout pipe.
    const linesOf = () => stock.output().split('\n').filter((line) => line.includes(traceId));
    await until(async () => linesOf().length >= 2);
    const lines = linesOf().map((line) => JSON.parse(line));
    expect(lines.map((line) => line.msg)).toEqual(['stock created', 'call completed']);
    expect(lines[1]).toMatchObject({ trace_id: traceId, grpc_code: 0, method: 'stock.v1.StockService/CreateStock', span_id: expect.any(String) });

    // A bad request is INVALID_ARGUMENT, with a google.rpc.Status naming the field in the status trailer.
    const invalid = await client.unary('CreateStock', { name: '' }).catch((error: ServiceError) => error);
    expect(invalid).toMatchObject({ code: INVALID_ARGUMENT, details: expect.stringMatching(/^name: /) });
    const status = grpc.decodeStatus((invalid as ServiceError).metadata.get('grpc-status-details-bin')[0]);
    expect(status).toMatchObject({ code: INVALID_ARGUMENT, message: (invalid as ServiceError).details });
    expect(status.details).toEqual([{ typeUrl: 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'name', description: expect.any(String) }] }]);

    // A deadline shorter than the (test-only slowed) Get ends the call with DEADLINE_EXCEEDED.
    const late = await client.unary('GetStock', { id: created.response.id }, { deadlineMs: 300 }).catch((error: { code: number }) => error);
    expect(late).toMatchObject({ code: DEADLINE_EXCEEDED });
    // The server noticed too: its handler was told, and its line says what the caller saw.
    const gaveUp = (line: string) => line.includes('"grpc_code":4') && line.includes('GetStock');
    await until(async () => stock.output().split('\n').some(gaveUp));

    // On SIGTERM health answers NOT_SERVING while draining, then the process exits 0.
    killGroup(stock.child, 'SIGTERM');
    await until(async () => (await client.check().catch(() => 0)) === NOT_SERVING);
    client.close();
    expect(await stock.exited).toBe(0);
  });

  it('is called by a REST dependent on every POST, which answers 503 naming it once it is gone', async () => {
    mustRun('npm', ['run', 'build'], ordersDir);
    const [stockPort, ordersPort] = [await freePort(), await freePort()];
    const stock = startProcess(process.execPath, ['dist/main.js'], stockDir, { PORT: String(stockPort) });
    const orders = startProcess(process.execPath, ['dist/main.js'], ordersDir, { PORT: String(ordersPort), STOCK_URL: `127.0.0.1:${stockPort}` });
    running.push(stock, orders);
    const base = `http://127.0.0.1:${ordersPort}`;
    await waitForStatus(`${base}/health/ready`);

    const traceId = randomBytes(16).toString('hex');
    const post = () =>
      fetch(`${base}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
        body: JSON.stringify({ name: 'an order' }),
      });
    expect((await post()).status).toBe(201);
    const callLine = () => stock.output().split('\n').find((line) => line.includes(traceId) && line.includes('call completed'));
    await until(async () => callLine() !== undefined);
    const stockLine = callLine();
    expect(JSON.parse(stockLine ?? '{}')).toMatchObject({ trace_id: traceId, method: 'stock.v1.StockService/CreateStock' });

    killGroup(stock.child);
    await stock.exited;
    const refused = await post();
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ statusCode: 503, error: 'Service Unavailable', message: expect.stringMatching(/^stock: .*CreateStock failed: UNAVAILABLE/) });
    await waitForStatus(`${base}/health/ready`, 503);
  });
});

async function until(condition: () => Promise<boolean>, attempts = 100): Promise<void> {
  for (let i = 0; i < attempts; i += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('condition never held');
}

// The few pieces of @grpc/grpc-js and @grpc/proto-loader this test uses, loaded from the generated service.
interface Metadata {
  set(key: string, value: string): void;
  get(key: string): unknown[];
}
interface Call {
  on(event: string, listener: (value: never) => void): void;
  write?(message: unknown): void;
  end?(): void;
}
type Method = (...args: unknown[]) => Call;
type Stub = Record<string, Method> & { close(): void };
type StubConstructor = new (address: string, credentials: unknown) => Stub;
interface GrpcModule {
  Metadata: new () => Metadata;
  credentials: { createInsecure(): unknown };
  loadPackageDefinition(definition: unknown): unknown;
}
interface ProtoLoader {
  loadSync(files: string, options: Record<string, unknown>): unknown;
}
interface ServiceError {
  code: number;
  details: string;
  metadata: Metadata;
}
interface ProtobufType {
  decode(bytes: unknown): unknown;
  toObject(message: unknown, options: Record<string, unknown>): Record<string, unknown>;
}
interface Protobuf {
  parse(source: string, options: { keepCase: boolean }): { root: { lookupType(name: string): ProtobufType } };
}

// google.rpc.Status and BadRequest (googleapis google/rpc/*.proto; Any kept in the same package, wire-compatible).
const GOOGLE_RPC = `syntax = "proto3"; package google.rpc;
message Any { string type_url = 1; bytes value = 2; }
message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
message BadRequest { message FieldViolation { string field = 1; string description = 2; } repeated FieldViolation field_violations = 1; }`;
type Grpc = ReturnType<typeof loadGrpc>;

function loadGrpc(serviceDir: string) {
  const require = createRequire(join(serviceDir, 'package.json'));
  const grpc = require('@grpc/grpc-js') as GrpcModule;
  const loader = require('@grpc/proto-loader') as ProtoLoader;
  const load = (file: string, path: string, keepCase = false): StubConstructor => {
    const root = grpc.loadPackageDefinition(loader.loadSync(file, { keepCase, longs: String, enums: String, defaults: true }));
    return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], root) as StubConstructor;
  };
  const StockService = load(join(serviceDir, 'proto', 'stock.proto'), 'stock.v1.StockService');
  // The service's own protobufjs (a dev dependency there) decodes the status trailer independently of the service's encoder.
  const rpc = (require('protobufjs') as Protobuf).parse(GOOGLE_RPC, { keepCase: true }).root;
  const decode = (type: string, bytes: unknown) => rpc.lookupType(type).toObject(rpc.lookupType(type).decode(bytes), { defaults: true });
  const reflectionProto = join(serviceDir, 'node_modules', '@grpc', 'reflection', 'build', 'proto', 'grpc', 'reflection', 'v1', 'reflection.proto');
  const ServerReflection = load(reflectionProto, 'grpc.reflection.v1.ServerReflection', true);
  return {
    /** google.rpc.Status from a grpc-status-details-bin trailer, BadRequest details unpacked. */
    decodeStatus(bytes: unknown) {
      const status = decode('google.rpc.Status', bytes) as { code: number; message: string; details: { type_url: string; value: unknown }[] };
      const details = status.details.map((any) => ({ typeUrl: any.type_url, fieldViolations: decode('google.rpc.BadRequest', any.value).field_violations }));
      return { code: status.code, message: status.message, details };
    },
    connect(address: string) {
      const credentials = grpc.credentials.createInsecure();
      const stub = new StockService(address, credentials);
      const reflector = new ServerReflection(address, credentials);
      const unary = (method: string, request: unknown, opts: { traceparent?: string; deadlineMs?: number } = {}) =>
        new Promise<{ response: Record<string, unknown>; traceparent?: string }>((resolve, reject) => {
          const metadata = new grpc.Metadata();
          if (opts.traceparent) metadata.set('traceparent', opts.traceparent);
          let traceparent: string | undefined;
          const call = stub[method](request, metadata, { deadline: Date.now() + (opts.deadlineMs ?? 5000) }, (error: unknown, response: Record<string, unknown>) =>
            error ? reject(error) : resolve({ response, traceparent }),
          );
          call.on('metadata', (answer: Metadata) => (traceparent = String(answer.get('traceparent')[0])));
        });
      return {
        unary,
        /** grpc.health.v1.Health/Check for the whole server, through the generic client with a hand-coded reply. */
        check: () =>
          new Promise<number>((resolve, reject) => {
            const generic = stub as unknown as { makeUnaryRequest: Method };
            generic.makeUnaryRequest('/grpc.health.v1.Health/Check', () => Buffer.alloc(0), (bytes: Buffer) => (bytes[0] === 8 ? bytes[1] : 0), {}, new grpc.Metadata(), { deadline: Date.now() + 1000 }, (error: unknown, status: number) =>
              error ? reject(error) : resolve(status),
            );
          }),
        listServices: () =>
          new Promise<string[]>((resolve, reject) => {
            const call = reflector.ServerReflectionInfo();
            call.on('data', (answer: { list_services_response?: { service: { name: string }[] } }) => resolve((answer.list_services_response?.service ?? []).map((s) => s.name)));
            call.on('error', reject);
            call.write!({ list_services: '' });
            call.end!();
          }),
        close: () => {
          stub.close();
          reflector.close();
        },
      };
    },
  };
}
