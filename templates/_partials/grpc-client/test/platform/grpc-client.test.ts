import * as grpc from "@grpc/grpc-js";
import { CircuitState } from "cockatiel";
import { afterEach, describe, expect, it } from "vitest";
import { DependencyError } from "../../src/platform/dependency.js";
import { GrpcDependencyError, grpcHealthCheck, resilientGrpc, type GrpcPolicyOptions, type StreamInvoker, type UnaryInvoker } from "../../src/platform/grpc-client.js";
import { SpanKind, startTrace } from "../../src/platform/trace-context.js";
import { encodeRpc as encode } from "./google-rpc-status.js";
import { captureSpans, parentOf } from "./span-capture.js";

const spans = await captureSpans();

// A real grpc-js server with one JSON-coded method and a hand-coded health Check.
const json = { serialize: (value: unknown) => Buffer.from(JSON.stringify(value)), deserialize: (bytes: Buffer) => JSON.parse(bytes.toString() || "{}") };
const method = (path: string) => ({ path, requestStream: false, responseStream: false, requestSerialize: json.serialize, requestDeserialize: json.deserialize, responseSerialize: json.serialize, responseDeserialize: json.deserialize });
const echo = { Echo: method("/test.Echo/Echo"), List: { ...method("/test.Echo/List"), responseStream: true } };
const health = { Check: { ...method("/grpc.health.v1.Health/Check"), responseSerialize: (status: number) => Buffer.from([0x08, status]) } };
const fast: Omit<GrpcPolicyOptions, "name"> = { initialDelayMs: 1, maxDelayMs: 5, timeoutMs: 1000 };

// What a server written with any gRPC library sends in grpc-status-details-bin, encoded by protobufjs.
const any = (type: string, value: object) => ({ type_url: `type.googleapis.com/${type}`, value: encode(type, value) });

/** A trailer with a google.rpc.Status: a BadRequest, an ErrorInfo and a detail type the client does not know. */
function statusTrailer(code: number, message: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  const details = [
    any("google.rpc.BadRequest", { field_violations: [{ field: "name", description: "Too small: expected string to have >=1 characters" }] }),
    any("google.rpc.ErrorInfo", { reason: "NAME_TAKEN", domain: "stock.v1.StockService", metadata: { name: "bolts" } }),
    { type_url: "type.googleapis.com/google.rpc.RetryInfo", value: Buffer.from([0x0a, 0x00]) },
  ];
  metadata.set("grpc-status-details-bin", Buffer.from(encode("google.rpc.Status", { code, message, details })));
  return metadata;
}

interface Seen {
  traceparent?: string;
  deadline: number;
  cancelled?: boolean;
}
interface ListRequest {
  count: number;
  failWith?: number;
  hold?: boolean;
}
let stop: (() => void) | undefined;
afterEach(() => stop?.());

/** `answer(hit)` is the status code of the hit-th call (0: OK); hits count from 1. */
async function startServer(answer: (hit: number) => number, servingStatus = 1) {
  const seen: Seen[] = [];
  const server = new grpc.Server();
  server.addService(echo, {
    Echo: (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const deadline = call.getDeadline();
      seen.push({ traceparent: call.metadata.get("traceparent")[0]?.toString(), deadline: deadline instanceof Date ? deadline.getTime() : deadline });
      const code = answer(seen.length);
      if (code === 0) callback(null, { ok: true });
      else if (code === grpc.status.INVALID_ARGUMENT) callback({ code, details: "name: too small", metadata: statusTrailer(code, "name: too small") });
      else callback({ code, details: "nope" });
    },
    // Streams `count` messages {n}, then ends, fails with `failWith` (with status details), or holds the call open.
    List: (call: grpc.ServerWritableStream<ListRequest, unknown>) => {
      const deadline = call.getDeadline();
      const record: Seen = { traceparent: call.metadata.get("traceparent")[0]?.toString(), deadline: deadline instanceof Date ? deadline.getTime() : deadline };
      seen.push(record);
      call.on("cancelled", () => (record.cancelled = true));
      for (let n = 0; n < call.request.count; n += 1) call.write({ n });
      if (call.request.failWith) call.emit("error", { code: call.request.failWith, details: "gone midway", metadata: statusTrailer(call.request.failWith, "gone midway") });
      else if (!call.request.hold) call.end();
    },
  });
  server.addService(health, { Check: (_call: unknown, callback: grpc.sendUnaryData<number>) => callback(null, servingStatus) });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  const client = new (grpc.makeGenericClientConstructor(echo, "Echo"))(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const invoke: UnaryInvoker<unknown> = (metadata, options, callback) => client.Echo({}, metadata, options, callback);
  const list = (request: ListRequest): StreamInvoker<{ n: number }> => (metadata, options) => client.List(request, metadata, options);
  stop = () => {
    client.close();
    server.forceShutdown();
  };
  return { seen, client, invoke, list, server };
}

describe("resilientGrpc", () => {
  it("retries UNAVAILABLE until the call succeeds", async () => {
    const { seen, invoke } = await startServer((hit) => (hit <= 2 ? grpc.status.UNAVAILABLE : 0));
    await expect(resilientGrpc({ name: "stock", ...fast }).call("Echo", invoke)).resolves.toEqual({ ok: true });
    expect(seen).toHaveLength(3);
  });

  it("does not retry what the server refused, and says it answered (not unavailable)", async () => {
    const { seen, invoke } = await startServer(() => grpc.status.NOT_FOUND);
    const failure = await resilientGrpc({ name: "stock", ...fast }).call("Echo", invoke).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DependencyError);
    expect(failure).toMatchObject({ unavailable: false, message: "stock: Echo failed: NOT_FOUND: nope" });
    expect(seen).toHaveLength(1);
  });

  it("opens the circuit after consecutive server failures, then fails without calling", async () => {
    const { seen, invoke } = await startServer(() => grpc.status.INTERNAL);
    const calls = resilientGrpc({ name: "stock", ...fast, maxRetries: 0, breakerThreshold: 2 });
    for (let i = 0; i < 2; i += 1) await expect(calls.call("Echo", invoke)).rejects.toThrow(/INTERNAL/);
    expect(calls.circuitState).toBe(CircuitState.Open);
    await expect(calls.call("Echo", invoke)).rejects.toMatchObject({ unavailable: true, message: "stock: Echo not sent: circuit open" });
    expect(seen).toHaveLength(2);
  });

  it("makes the call in a client span of this span, sent as the parent, and no deadline later than the inbound call's", async () => {
    const { seen, invoke } = await startServer(() => 0);
    const calls = resilientGrpc({ name: "stock", ...fast, timeoutMs: 60_000 });
    const inbound = { ...startTrace(), deadline: Date.now() + 500 };
    spans.reset();
    await calls.call("stock.v1.StockService/Echo", invoke, inbound);
    const client = spans.one("stock.v1.StockService/Echo");
    expect(client.kind).toBe(SpanKind.CLIENT);
    expect(parentOf(client)).toBe(inbound.spanId);
    expect(client.attributes).toEqual({ "rpc.system": "grpc", "rpc.service": "stock.v1.StockService", "rpc.method": "Echo", "rpc.grpc.status_code": 0 });
    expect(seen[0].traceparent).toBe(`00-${inbound.traceId}-${client.spanContext().spanId}-01`);
    // grpc-timeout travels in whole milliseconds, so the server's clock may read one or two later.
    expect(seen[0].deadline).toBeLessThanOrEqual(inbound.deadline + 20);
    await calls.call("Echo", invoke);
    expect(seen[1].deadline).toBeGreaterThan(inbound.deadline + 10_000);
  });

  it("hands over the status code and the google.rpc.Status details the server sent", async () => {
    const { invoke } = await startServer(() => grpc.status.INVALID_ARGUMENT);
    const failure = await resilientGrpc({ name: "stock", ...fast }).call("Echo", invoke).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GrpcDependencyError);
    expect(failure).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, unavailable: false, message: "stock: Echo failed: INVALID_ARGUMENT: name: too small" });
    expect((failure as GrpcDependencyError).status).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      message: "name: too small",
      details: [
        { type: "BadRequest", fieldViolations: [{ field: "name", description: "Too small: expected string to have >=1 characters" }] },
        { type: "ErrorInfo", reason: "NAME_TAKEN", domain: "stock.v1.StockService", metadata: { name: "bolts" } },
        { type: "Unknown", typeUrl: "type.googleapis.com/google.rpc.RetryInfo" },
      ],
    });
  });

  it("has no status details when the server sent none", async () => {
    const { invoke } = await startServer(() => grpc.status.NOT_FOUND);
    const failure = await resilientGrpc({ name: "stock", ...fast }).call("Echo", invoke).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: grpc.status.NOT_FOUND, status: undefined });
  });

  it("ends a failed call's span with the status code, the error recorded", async () => {
    const { invoke } = await startServer(() => grpc.status.NOT_FOUND);
    spans.reset();
    await resilientGrpc({ name: "stock", ...fast }).call("Echo", invoke, startTrace()).catch(() => undefined);
    const client = spans.one("Echo");
    expect(client.attributes["rpc.grpc.status_code"]).toBe(grpc.status.NOT_FOUND);
    expect(client.status).toMatchObject({ code: 2, message: expect.stringMatching(/NOT_FOUND/) });
    expect(client.events.map((event) => event.name)).toEqual(["exception"]);
  });

  it("reports an unreachable server as unavailable", async () => {
    const { invoke, server } = await startServer(() => 0);
    server.forceShutdown();
    const failure = resilientGrpc({ name: "stock", ...fast, maxRetries: 1, timeoutMs: 300 }).call("Echo", invoke);
    await expect(failure).rejects.toMatchObject({ unavailable: true, message: expect.stringMatching(/^stock: Echo failed: (UNAVAILABLE|DEADLINE_EXCEEDED)/) });
  });
});

describe("resilientGrpc streams", () => {
  const read = async <T>(stream: AsyncIterable<T>) => {
    const messages: T[] = [];
    for await (const message of stream) messages.push(message);
    return messages;
  };

  it("yields every message, in a client span of this span sent as the parent, no deadline later than the inbound call's", async () => {
    const { seen, list } = await startServer(() => 0);
    const calls = resilientGrpc({ name: "stock", ...fast, timeoutMs: 60_000 });
    const inbound = { ...startTrace(), deadline: Date.now() + 500 };
    spans.reset();
    const stream = calls.stream("List", list({ count: 3 }), inbound);
    expect(await read(stream)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    const client = spans.one("List");
    expect(parentOf(client)).toBe(inbound.spanId);
    expect(seen[0].traceparent).toBe(`00-${inbound.traceId}-${client.spanContext().spanId}-01`);
    expect(seen[0].deadline).toBeLessThanOrEqual(inbound.deadline + 20);
  });

  it("fails with a GrpcDependencyError carrying the status details, after what did arrive, and is not retried", async () => {
    const { seen, list } = await startServer(() => 0);
    const received: unknown[] = [];
    const failure = await (async () => {
      for await (const message of resilientGrpc({ name: "stock", ...fast }).stream("List", list({ count: 2, failWith: grpc.status.UNAVAILABLE }))) received.push(message);
    })().catch((error: unknown) => error);
    expect(received).toEqual([{ n: 0 }, { n: 1 }]);
    expect(failure).toBeInstanceOf(GrpcDependencyError);
    expect(failure).toMatchObject({ code: grpc.status.UNAVAILABLE, unavailable: true, message: "stock: List failed: UNAVAILABLE: gone midway" });
    expect((failure as GrpcDependencyError).status?.details[1]).toMatchObject({ type: "ErrorInfo", reason: "NAME_TAKEN" });
    expect(seen).toHaveLength(1);
  });

  it("cancels the call when the reader stops early", async () => {
    const { seen, list } = await startServer(() => 0);
    for await (const message of resilientGrpc({ name: "stock", ...fast }).stream("List", list({ count: 2, hold: true }))) {
      expect(message).toEqual({ n: 0 });
      break;
    }
    await expect.poll(() => seen[0]?.cancelled).toBe(true);
  });
});

describe("grpcHealthCheck", () => {
  it.each([
    [1, undefined],
    [2, "stock reports NOT_SERVING"],
  ])("turns serving status %i into readiness", async (status, failure) => {
    const { client } = await startServer(() => 0, status);
    const check = grpcHealthCheck(client, "stock")(AbortSignal.timeout(1000));
    if (failure) await expect(check).rejects.toThrow(failure);
    else await expect(check).resolves.toBeUndefined();
  });
});
