import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { CircuitState } from "cockatiel";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openUpstreams } from "../src/collaborators.js";
import { GrpcApiError } from "../src/proxy/grpc-routes.js";
import { HealthRegistry } from "../src/platform/health.js";
import { createLogger } from "../src/platform/logger.js";
import { loadConfig } from "../src/platform/config.js";
import { SpanKind } from "../src/platform/trace-context.js";
import { configSchema } from "../src/service-config.js";
import { encodeRpc } from "./platform/google-rpc-status.js";
import { captureSpans, parentOf } from "./platform/span-capture.js";
import { bearer, buildTestGateway, FIXTURE_PROTOS, makeIssuer } from "./test-gateway.js";

const spans = await captureSpans();
const TRACE_ID = "4bf92f3577b34da6a3ce929b0e0e4736";
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

interface Item {
  id: string;
  name: string;
  quantity: number;
  weightGrams: string;
  unit: string;
  tags: string[];
}

/** What the server saw of one call: its metadata, and whether the caller cancelled it. */
interface SeenCall {
  method: string;
  metadata: Record<string, string>;
  request: unknown;
}

type Behaviour = "normal" | "silent" | "failing";

/**
 * A real grpc-js server of test/fixtures/inventory.proto, with grpc.health.v1 Check coded by
 * hand (SERVING is bytes 08 01), as a generated gRPC service answers it.
 */
async function startInventory() {
  const definition = protoLoader.loadSync(fileURLToPath(new URL("inventory.proto", FIXTURE_PROTOS)), { keepCase: false, longs: String, enums: String, defaults: true });
  const api = grpc.loadPackageDefinition(definition) as unknown as { inventory: { v1: { InventoryService: grpc.ServiceClientConstructor } } };
  const items = new Map<string, Item>();
  const seen: SeenCall[] = [];
  const state = { behaviour: "normal" as Behaviour, serving: true };
  const record = (method: string, call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>) =>
    seen.push({ method, request: call.request, metadata: Object.fromEntries(Object.entries(call.metadata.getMap()).map(([k, v]) => [k, String(v)])) });
  /** Applies the server's behaviour; true when the call was answered (or left hanging) by it. */
  const misbehave = <T>(callback: grpc.sendUnaryData<T>) => {
    if (state.behaviour === "silent") return true;
    if (state.behaviour === "failing") {
      callback({ code: grpc.status.INTERNAL, details: "the database is on fire" });
      return true;
    }
    return false;
  };
  const server = new grpc.Server();
  server.addService(api.inventory.v1.InventoryService.service, {
    CreateItem: (call: grpc.ServerUnaryCall<Omit<Item, "id">, Item>, callback: grpc.sendUnaryData<Item>) => {
      record("CreateItem", call);
      if (misbehave(callback)) return;
      if (call.request.name === "") {
        const metadata = new grpc.Metadata();
        const badRequest = { type_url: "type.googleapis.com/google.rpc.BadRequest", value: encodeRpc("google.rpc.BadRequest", { field_violations: [{ field: "name", description: "must not be empty" }] }) };
        metadata.set("grpc-status-details-bin", Buffer.from(encodeRpc("google.rpc.Status", { code: grpc.status.INVALID_ARGUMENT, message: "invalid item", details: [badRequest] })));
        return callback({ code: grpc.status.INVALID_ARGUMENT, details: "invalid item", metadata });
      }
      const item = { ...call.request, id: `item-${items.size + 1}` };
      items.set(item.id, item);
      callback(null, item);
    },
    GetItem: (call: grpc.ServerUnaryCall<{ id: string }, Item>, callback: grpc.sendUnaryData<Item>) => {
      record("GetItem", call);
      if (misbehave(callback)) return;
      const item = items.get(call.request.id);
      if (!item) return callback({ code: grpc.status.NOT_FOUND, details: `item ${call.request.id} not found` });
      callback(null, item);
    },
    ListItems: (call: grpc.ServerWritableStream<{ limit: number }, Item>) => {
      record("ListItems", call);
      for (const item of [...items.values()].slice(0, call.request.limit || undefined)) call.write(item);
      call.end();
    },
    ImportItems: (_call: grpc.ServerReadableStream<unknown, unknown>, callback: grpc.sendUnaryData<{ count: number }>) => callback(null, { count: 0 }),
  });
  const health = {
    Check: {
      path: "/grpc.health.v1.Health/Check",
      requestStream: false,
      responseStream: false,
      requestSerialize: () => Buffer.alloc(0),
      requestDeserialize: () => ({}),
      responseSerialize: (status: number) => Buffer.from([0x08, status]),
      responseDeserialize: (bytes: Buffer) => bytes[1],
    },
  };
  server.addService(health, { Check: (_call: unknown, callback: grpc.sendUnaryData<number>) => callback(null, state.serving ? 1 : 2) });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
  return { address: `127.0.0.1:${port}`, seen, state, items, close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())), stop: () => server.forceShutdown() };
}

type Inventory = Awaited<ReturnType<typeof startInventory>>;
const servers: Inventory[] = [];
const gateways: Array<Awaited<ReturnType<typeof buildTestGateway>>> = [];
beforeEach(() => spans.reset());
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.app.close();
  for (const server of servers.splice(0)) server.stop();
});

async function inventory(): Promise<Inventory> {
  const started = await startInventory();
  servers.push(started);
  return started;
}

async function gatewayTo(address: string, env: Record<string, string> = {}, route: Record<string, unknown> = { public: true }, publicKeyPem?: string) {
  const gateway = await buildTestGateway([{ path: "/inventory", service: "inventory", protocol: "grpc", url: address, ...route }], publicKeyPem, env);
  gateways.push(gateway);
  return gateway;
}

/** An address nothing listens on: a server bound and shut down. */
async function deadAddress(): Promise<string> {
  const gone = await startInventory();
  gone.stop();
  return gone.address;
}

const post = (gateway: Awaited<ReturnType<typeof gatewayTo>>, method: string, body?: unknown, headers: Record<string, string> = {}) =>
  gateway.app.inject({ method: "POST", url: `/inventory/${method}`, headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });

describe("routes to a gRPC service: its methods as JSON over HTTP", () => {
  it("calls a unary method with the JSON body and answers its response in proto3 JSON", async () => {
    const upstream = await inventory();
    const gateway = await gatewayTo(upstream.address);
    const response = await post(gateway, "CreateItem", { name: "bolts", quantity: 3, weightGrams: "12000000000", unit: "UNIT_BOX", tags: ["metal"] }, { "x-request-id": "req-7", traceparent: TRACEPARENT });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    // 64-bit integers as strings, enums by name, lowerCamelCase names: proto3's JSON mapping.
    expect(response.json()).toEqual({ id: "item-1", name: "bolts", quantity: 3, weightGrams: "12000000000", unit: "UNIT_BOX", tags: ["metal"] });

    const call = upstream.seen.at(-1)!;
    expect(call.method).toBe("CreateItem");
    expect(call.metadata["x-request-id"]).toBe("req-7");
    const gatewaySpan = String(response.headers.traceparent).split("-")[2];
    expect(call.metadata.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-(?!00f067aa0ba902b7|${gatewaySpan})[0-9a-f]{16}-01$`));
    expect(call.metadata.tracestate).toBe(`msx=${gatewaySpan}`);

    const get = await post(gateway, "GetItem", { id: "item-1" });
    expect(get.statusCode).toBe(200);
    expect(get.json()).toMatchObject({ id: "item-1", name: "bolts" });
    const access = gateway.logs.records().find((r) => r.msg === "request completed" && r.url === "/inventory/CreateItem");
    expect(access).toMatchObject({ route: "/inventory", upstream: "inventory", status: 200, trace_id: TRACE_ID, reqId: "req-7" });
  });

  it("records a client span for the call with the rpc.* attributes, the child of the request's server span", async () => {
    const upstream = await inventory();
    const gateway = await gatewayTo(upstream.address);
    const response = await post(gateway, "GetItem", { id: "nope" }, { traceparent: TRACEPARENT });
    expect(response.statusCode).toBe(404);
    const server = spans.one("POST /inventory");
    const client = spans.one("inventory.v1.InventoryService/GetItem");
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(client.kind).toBe(SpanKind.CLIENT);
    expect(parentOf(client)).toBe(server.spanContext().spanId);
    expect(client.spanContext().traceId).toBe(TRACE_ID);
    expect(client.attributes).toMatchObject({ "rpc.system": "grpc", "rpc.service": "inventory.v1.InventoryService", "rpc.method": "GetItem", "rpc.grpc.status_code": grpc.status.NOT_FOUND });
    expect(upstream.seen.at(-1)!.metadata.traceparent).toContain(client.spanContext().spanId);
  });

  it("answers a server stream as a JSON array once it ends", async () => {
    const upstream = await inventory();
    const gateway = await gatewayTo(upstream.address);
    for (const name of ["a", "b", "c"]) expect((await post(gateway, "CreateItem", { name })).statusCode).toBe(200);
    const all = await post(gateway, "ListItems");
    expect(all.statusCode).toBe(200);
    expect(all.json().map((item: Item) => item.name)).toEqual(["a", "b", "c"]);
    const two = await post(gateway, "ListItems", { limit: 2 });
    expect(two.json()).toHaveLength(2);
  });

  it("maps a gRPC status to its HTTP status, with the google.rpc details the service sent", async () => {
    const upstream = await inventory();
    const gateway = await gatewayTo(upstream.address);
    const missing = await post(gateway, "GetItem", { id: "item-9" });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(missing.json()).toMatchObject({ status: 404, grpcStatus: "NOT_FOUND", upstream: "inventory", detail: "item item-9 not found" });

    const invalid = await post(gateway, "CreateItem", { name: "" });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({
      status: 400,
      grpcStatus: "INVALID_ARGUMENT",
      detail: "invalid item",
      details: [{ type: "BadRequest", fieldViolations: [{ field: "name", description: "must not be empty" }] }],
    });

    upstream.state.behaviour = "failing";
    const failed = await post(gateway, "GetItem", { id: "item-1" });
    expect(failed.statusCode).toBe(500);
    expect(failed.json()).toMatchObject({ grpcStatus: "INTERNAL", detail: "the database is on fire" });
  });

  it("refuses a body that does not fit the request message with 400, without calling the service", async () => {
    const upstream = await inventory();
    const gateway = await gatewayTo(upstream.address);
    const unknownField = await post(gateway, "CreateItem", { name: "a", colour: "red" });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json().detail).toBe('unknown field "colour" (fields: name, quantity, weightGrams, unit, tags)');
    const wrongType = await post(gateway, "CreateItem", { name: "a", quantity: "three" });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().detail).toBe('field "quantity" must be number, not string');
    const notAnObject = await post(gateway, "CreateItem", ["a"]);
    expect(notAnObject.statusCode).toBe(400);
    expect(notAnObject.json().detail).toMatch(/must be a JSON object/);
    expect(upstream.seen).toHaveLength(0);
  });

  it("answers 404 naming the methods it serves for an unknown method or a client-streaming one", async () => {
    const upstream = await inventory();
    const gateway = await gatewayTo(upstream.address);
    for (const method of ["DeleteItem", "ImportItems"]) {
      const response = await post(gateway, method, {});
      expect(response.statusCode).toBe(404);
      expect(response.json().detail).toBe(`inventory has no method ${method} (methods: CreateItem, GetItem, ListItems)`);
    }
    const get = await gateway.app.inject({ method: "GET", url: "/inventory/GetItem" });
    expect(get.statusCode).toBe(404);
  });

  it("checks the caller's token as on any route, and passes the verified caller on as metadata", async () => {
    const issuer = await makeIssuer();
    const upstream = await inventory();
    const gateway = await gatewayTo(upstream.address, {}, { public: false }, issuer.publicKeyPem);
    expect((await post(gateway, "GetItem", { id: "x" })).statusCode).toBe(401);
    expect(upstream.seen).toHaveLength(0);
    const token = await issuer.sign({ sub: "user-9", scope: "stock:read" });
    expect((await post(gateway, "GetItem", { id: "x" }, bearer(token))).statusCode).toBe(404);
    expect(upstream.seen.at(-1)!.metadata).toMatchObject({ "x-auth-subject": "user-9", "x-auth-scopes": "stock:read" });
    expect(upstream.seen.at(-1)!.metadata.authorization).toBeUndefined();
  });

  it("answers 503 when the service is unreachable and 504 when it does not answer within the route's timeout", async () => {
    const unreachable = await gatewayTo(await deadAddress());
    const down = await post(unreachable, "GetItem", { id: "x" });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ status: 503, grpcStatus: "UNAVAILABLE", upstream: "inventory", detail: expect.stringMatching(/^inventory is unreachable/) });

    const upstream = await inventory();
    upstream.state.behaviour = "silent";
    const slow = await gatewayTo(upstream.address, {}, { public: true, timeoutMs: 200 });
    const late = await post(slow, "GetItem", { id: "x" });
    expect(late.statusCode).toBe(504);
    expect(late.json()).toMatchObject({ status: 504, grpcStatus: "DEADLINE_EXCEEDED", detail: "inventory did not answer within 200 ms" });
  });

  it("opens the circuit after N failures (then 503 without calling), and closes it once the service recovers", async () => {
    const upstream = await inventory();
    upstream.state.behaviour = "failing";
    const gateway = await gatewayTo(upstream.address, { BREAKER_THRESHOLD: "3", BREAKER_HALF_OPEN_AFTER: "300ms" });
    const breaker = gateway.breakers.get("/inventory")!;
    for (let i = 0; i < 3; i += 1) expect((await post(gateway, "GetItem", { id: "x" })).statusCode).toBe(500);
    expect(breaker.state).toBe(CircuitState.Open);

    const calls = upstream.seen.length;
    const refused = await post(gateway, "GetItem", { id: "x" });
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({ detail: "inventory is failing: circuit open, not called" });
    expect(upstream.seen.length).toBe(calls);

    upstream.state.behaviour = "normal";
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await post(gateway, "GetItem", { id: "x" })).statusCode).toBe(404);
    expect(breaker.state).toBe(CircuitState.Closed);
  });

  it("is ready while the service's health check says SERVING, and not ready once it does not", async () => {
    const upstream = await inventory();
    const gateway = await gatewayTo(upstream.address);
    const ready = await gateway.app.inject({ method: "GET", url: "/health/ready" });
    expect(ready.statusCode).toBe(200);
    upstream.state.serving = false;
    const notServing = await gateway.app.inject({ method: "GET", url: "/health/ready" });
    expect(notServing.statusCode).toBe(503);
    expect(JSON.stringify(notServing.json())).toMatch(/inventory reports NOT_SERVING/);
  });

  it("does not start without the service's API file: a config error naming it", () => {
    const config = loadConfig(configSchema, {
      GATEWAY_ROUTES: JSON.stringify([{ path: "/billing", service: "billing", protocol: "grpc", urlEnv: "BILLING_URL", public: true }]),
      BILLING_URL: "127.0.0.1:50051",
    });
    const logger = createLogger({ service: "gateway", level: "silent" });
    expect(() => openUpstreams(config, logger, new HealthRegistry(), undefined, FIXTURE_PROTOS)).toThrow(GrpcApiError);
    expect(() => openUpstreams(config, logger, new HealthRegistry(), undefined, FIXTURE_PROTOS)).toThrow(
      "config error: proto/billing.proto is missing: the gateway calls billing through its API; copy it from the billing service's proto/ folder",
    );
  });

  it("wants host:port, not a URL, for a gRPC route's upstream", () => {
    const routes = JSON.stringify([{ path: "/inventory", service: "inventory", protocol: "grpc", urlEnv: "INVENTORY_URL", public: true }]);
    expect(() => loadConfig(configSchema, { GATEWAY_ROUTES: routes, INVENTORY_URL: "http://127.0.0.1:50051" })).toThrow(/INVENTORY_URL must be host:port/);
  });
});
