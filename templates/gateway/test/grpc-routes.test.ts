import { connect, type AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { CircuitState } from "cockatiel";
import protobuf from "protobufjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openUpstreams } from "../src/collaborators.js";
import { GrpcApiError } from "../src/proxy/grpc-routes.js";
import { HealthRegistry } from "../src/platform/health.js";
import { createLogger } from "../src/platform/logger.js";
import { loadConfig } from "../src/platform/config.js";
import { SpanKind } from "../src/platform/trace-context.js";
import { configSchema } from "../src/service-config.js";
import { captureSpans, parentOf } from "./platform/span-capture.js";
import { bearer, buildTestGateway, FIXTURE_PROTOS, makeIssuer } from "./test-gateway.js";
import { startInventory, type Inventory, type Item } from "./inventory-server.js";

const spans = await captureSpans();
const TRACE_ID = "4bf92f3577b34da6a3ce929b0e0e4736";
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

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

/** Waits (up to 5 s) for what another process or the event loop does. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(done()).toBe(true);
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

  it("sends a client stream's JSON array as its messages, in order, and answers its one response", async () => {
    const upstream = await inventory();
    const gateway = await gatewayTo(upstream.address);
    const response = await post(gateway, "ImportItems", [{ name: "a" }, { name: "b", quantity: 2, weightGrams: "9007199254740993" }, {}], { "x-request-id": "req-import", traceparent: TRACEPARENT });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ count: 3 });
    const call = upstream.seen.at(-1)!;
    expect(call.method).toBe("ImportItems");
    expect((call.request as Array<Partial<Item>>).map(({ name, quantity, weightGrams }) => ({ name, quantity, weightGrams }))).toEqual([
      { name: "a", quantity: 0, weightGrams: "0" },
      { name: "b", quantity: 2, weightGrams: "9007199254740993" },
      { name: "", quantity: 0, weightGrams: "0" },
    ]);
    expect(call.metadata).toMatchObject({ "x-request-id": "req-import", traceparent: expect.stringContaining(TRACE_ID) });
    const client = spans.one("inventory.v1.InventoryService/ImportItems");
    expect(parentOf(client)).toBe(spans.one("POST /inventory").spanContext().spanId);
    expect(client.attributes).toMatchObject({ "rpc.method": "ImportItems", "rpc.grpc.status_code": grpc.status.OK });
    expect(upstream.items.size).toBe(3);
    // No body is an empty stream: the server reads none and still answers.
    const none = await post(gateway, "ImportItems");
    expect(none.statusCode, none.body).toBe(200);
    expect(upstream.seen.at(-1)!.request).toEqual([]);

    upstream.state.behaviour = "failing";
    const failed = await post(gateway, "ImportItems", [{ name: "c" }]);
    expect(failed.statusCode).toBe(500);
    expect(failed.json()).toMatchObject({ grpcStatus: "INTERNAL", detail: "the database is on fire" });
  });

  it("sends a bidirectional stream's array and half-closes it, and answers what the server sent back as an array", async () => {
    const upstream = await inventory();
    const gateway = await gatewayTo(upstream.address);
    for (const name of ["a", "b"]) expect((await post(gateway, "CreateItem", { name })).statusCode).toBe(200);
    const response = await post(gateway, "TrackItems", [{ id: "item-2" }, { id: "item-1" }, { id: "item-2" }]);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().map((item: Item) => [item.id, item.name])).toEqual([["item-2", "b"], ["item-1", "a"], ["item-2", "b"]]);
    expect(upstream.seen.at(-1)!.request).toEqual(["item-2", "item-1", "item-2"]);
    expect(spans.spans().filter((span) => span.name === "inventory.v1.InventoryService/TrackItems")).toHaveLength(1);
    expect((await post(gateway, "TrackItems")).json()).toEqual([]);
    // A status the server ends the stream with is the problem answered, as for any call.
    const missing = await post(gateway, "TrackItems", [{ id: "item-1" }, { id: "item-7" }]);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ grpcStatus: "NOT_FOUND", detail: "item item-7 not found" });
  });

  it("refuses a streamed body that is not an array of request messages with 400 naming the element, without calling the service", async () => {
    const upstream = await inventory();
    const gateway = await gatewayTo(upstream.address);
    for (const [method, body] of [["ImportItems", { name: "a" }], ["ImportItems", null], ["TrackItems", "item-1"]] as const) {
      const response = await post(gateway, method, body);
      expect(response.statusCode, `${method} ${JSON.stringify(body)}`).toBe(400);
      const type = method === "ImportItems" ? "CreateItemRequest" : "GetItemRequest";
      expect(response.json().detail).toBe(`${method} takes a stream of ${type}: the body must be a JSON array of them, in the order to send`);
    }
    const wrongType = await post(gateway, "ImportItems", [{ name: "a" }, { name: "b", quantity: "three" }]);
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().detail).toBe('field "[1].quantity" must be an int32 (a whole number from -2147483648 to 2147483647), not "three"');
    const notAMessage = await post(gateway, "TrackItems", [{ id: "item-1" }, null]);
    expect(notAMessage.statusCode).toBe(400);
    expect(notAMessage.json().detail).toBe('field "[1]" must be an object (GetItemRequest), not null');
    expect(upstream.seen).toHaveLength(0);
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
    expect(unknownField.json().detail).toBe('unknown field "colour" (fields of CreateItemRequest: name, quantity, weightGrams, unit, tags)');
    const wrongType = await post(gateway, "CreateItem", { name: "a", quantity: "three" });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().detail).toBe('field "quantity" must be an int32 (a whole number from -2147483648 to 2147483647), not "three"');
    for (const body of [["a"], "a", null]) {
      const notAnObject = await post(gateway, "CreateItem", body);
      expect(notAnObject.statusCode).toBe(400);
      expect(notAnObject.json().detail).toBe("the body must be a JSON object (the method's request message)");
    }
    expect(upstream.seen).toHaveLength(0);
  });

  it("maps every kind of field both ways as proto3 JSON: 64-bit as strings, bytes as base64, maps, well-known types, oneofs", async () => {
    const upstream = await inventory();
    const gateway = await gatewayTo(upstream.address);
    const everything = {
      count: -5,
      small: 4294967295,
      big: "-9223372036854775808",
      huge: "18446744073709551615",
      ratio: 0.25,
      weight: 1.5,
      flag: true,
      text: "bolts",
      blob: Buffer.from("raw bytes").toString("base64"),
      unit: "UNIT_BOX",
      size: { width: 3, height: 4 },
      parts: [{ width: 1, height: 2 }, { width: 5, height: 6 }],
      counts: { left: 1, right: 2 },
      labels: { "7": "seven" },
      due: "2026-12-03T10:00:00.250Z",
      wait: "1.500s",
      note: "wrapped",
      total: "42",
      extra: { nested: { list: [1, "two", true, null] } },
      colourName: "red",
      nickname: "M6",
      snakeCaseName: "camel in JSON",
      byId: { "5": "five", "-7": "minus seven" },
      addressLine1: "protoc's JSON name drops each underscore",
      renamed: "json_name wins",
      values: [1, null, "x"],
    };
    const response = await post(gateway, "Echo", everything);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual(everything);
    // What the service got is what was sent, not a coerced value: its int64 kept every digit.
    const everythingType = protobuf.loadSync(fileURLToPath(new URL("inventory.proto", FIXTURE_PROTOS))).lookupType("inventory.v1.Everything");
    const seen = everythingType.toObject(everythingType.decode(upstream.seen.at(-1)!.request as Buffer), { longs: String });
    expect(seen.big).toBe("-9223372036854775808");
    expect(seen.huge).toBe("18446744073709551615");

    // Unset: message fields and oneof/optional members are left out; scalars are their defaults.
    const empty = await post(gateway, "Echo", {});
    expect(empty.json()).toEqual({
      count: 0, small: 0, big: "0", huge: "0", ratio: 0, weight: 0, flag: false, text: "", blob: "", unit: "UNIT_UNSPECIFIED",
      parts: [], counts: {}, labels: {}, snakeCaseName: "", byId: {}, addressLine1: "", renamed: "", values: [],
    });

    // The .proto's own names are accepted too, and integers as strings, as proto3 JSON parsers must.
    const accepted = await post(gateway, "Echo", { snake_case_name: "kept", count: "7", small: "1e2", colour_code: 3, due: "2026-12-03t10:00:00z", address_line_1: "x" });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ snakeCaseName: "kept", count: 7, small: 100, colourCode: 3, due: "2026-12-03T10:00:00Z", addressLine1: "x" });
  });

  it.each([
    [{ count: 1.5 }, 'field "count" must be an int32 (a whole number from -2147483648 to 2147483647), not 1.5'],
    [{ count: 4294967297 }, 'field "count" must be an int32 (a whole number from -2147483648 to 2147483647), not 4294967297'],
    [{ small: -1 }, 'field "small" must be an uint32 (a whole number from 0 to 4294967295), not -1'],
    [{ big: "9223372036854775808" }, 'field "big" must be an int64 (a whole number from -9223372036854775808 to 9223372036854775807, as a string or a number), not "9223372036854775808"'],
    [{ big: "abc" }, 'field "big" must be an int64 (a whole number from -9223372036854775808 to 9223372036854775807, as a string or a number), not "abc"'],
    [{ big: 2 ** 60 }, /^field "big" must be an int64 .*; above 2\^53 send it as a string, not 1152921504606847000$/],
    [{ flag: "yes" }, 'field "flag" must be true or false, not "yes"'],
    [{ weight: 1e39 }, 'field "weight" must be a number (float) within ±3.4028234663852886e+38, not 1e+39'],
    [{ blob: "not base64!" }, 'field "blob" must be base64 (bytes), not "not base64!"'],
    [{ unit: "UNIT_CRATE" }, 'field "unit" must be one of UNIT_UNSPECIFIED, UNIT_PIECE, UNIT_BOX (Unit), not "UNIT_CRATE"'],
    [{ size: { width: "wide" } }, 'field "size.width" must be an int32 (a whole number from -2147483648 to 2147483647), not "wide"'],
    [{ size: { depth: 1 } }, 'unknown field "size.depth" (fields of Size: width, height)'],
    [{ size: 3 }, 'field "size" must be an object (Size), not 3'],
    [{ parts: [{ width: 1 }, { width: "x" }] }, 'field "parts[1].width" must be an int32 (a whole number from -2147483648 to 2147483647), not "x"'],
    [{ parts: { width: 1 } }, 'field "parts" must be an array, not an object'],
    [{ counts: { a: "one" } }, 'field "counts["a"]" must be an int32 (a whole number from -2147483648 to 2147483647), not "one"'],
    [{ labels: { seven: "7" } }, 'field "labels["seven"]" must be an int32 (a whole number from -2147483648 to 2147483647), not "seven"'],
    [{ due: "yesterday" }, 'field "due" must be an RFC 3339 time (google.protobuf.Timestamp), e.g. "2026-12-03T10:00:00Z", not "yesterday"'],
    [{ wait: 5 }, 'field "wait" must be a duration in seconds (google.protobuf.Duration), e.g. "1.5s", not 5'],
    [{ total: "many" }, 'field "total" must be an int64 (a whole number from -9223372036854775808 to 9223372036854775807, as a string or a number), not "many"'],
    [{ colourName: "red", colourCode: 1 }, 'fields "colourName" and "colourCode" are one of "colour": set one'],
    [{ snake_case_name: "a", snakeCaseName: "b" }, 'field "snakeCaseName" is given twice (as "snake_case_name" and "snakeCaseName")'],
    [{ due: "2026-02-30T00:00:00Z" }, 'field "due" must be an RFC 3339 time (google.protobuf.Timestamp), e.g. "2026-12-03T10:00:00Z", not "2026-02-30T00:00:00Z"'],
    [{ due: "0000-01-01T00:00:00Z" }, 'field "due" must be an RFC 3339 time (google.protobuf.Timestamp), e.g. "2026-12-03T10:00:00Z" from year 1 to 9999, not "0000-01-01T00:00:00Z"'],
    [{ wait: "99999999999999999999s" }, 'field "wait" must be a duration within ±315576000000s (google.protobuf.Duration), not "99999999999999999999s"'],
    [{ unit: "toString" }, 'field "unit" must be one of UNIT_UNSPECIFIED, UNIT_PIECE, UNIT_BOX (Unit), not "toString"'],
    [{ blob: "A" }, 'field "blob" must be base64 (bytes), not "A"'],
    [{ ratio: "0x10" }, 'field "ratio" must be a number (double), not "0x10"'],
    [{ parts: [null] }, 'field "parts[0]" must be a value, not null'],
    [{ byId: { five: "5" } }, 'field "byId["five"]" must be an int64 (a whole number from -9223372036854775808 to 9223372036854775807, as a string or a number), not "five"'],
  ])("refuses %j with 400, without calling the service", async (body, detail) => {
    const upstream = await inventory();
    const gateway = await gatewayTo(upstream.address);
    const response = await post(gateway, "Echo", body);
    expect(response.statusCode).toBe(400);
    if (typeof detail === "string") expect(response.json().detail).toBe(detail);
    else expect(response.json().detail).toMatch(detail);
    expect(upstream.seen).toHaveLength(0);
  });

  it("reads exponent and fraction forms of whole numbers exactly, 64-bit ones too, and refuses those with a fraction", async () => {
    const upstream = await inventory();
    const gateway = await gatewayTo(upstream.address);
    const accepted = await post(gateway, "Echo", { big: "-1e18", huge: "18446744073709551615e0", count: "2.50e1", small: "1500e-2", total: "9.223372036854775807e18" });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ big: "-1000000000000000000", huge: "18446744073709551615", count: 25, small: 15, total: "9223372036854775807" });
    for (const [body, detail] of [
      [{ big: "1.5e0" }, /^field "big" must be an int64 .*, not "1.5e0"$/],
      [{ big: "1e19" }, /^field "big" must be an int64 .*, not "1e19"$/],
      [{ big: "1e999999999" }, /^field "big" must be an int64 .*, not "1e999999999"$/],
      [{ count: "1e-1" }, /^field "count" must be an int32 .*, not "1e-1"$/],
    ] as const) {
      const refused = await post(gateway, "Echo", body);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().detail).toMatch(detail);
    }
  });

  it("answers a float field as the shortest decimal of its float32 value", async () => {
    const upstream = await inventory();
    const gateway = await gatewayTo(upstream.address);
    const response = await post(gateway, "Echo", { weight: 0.1, ratio: 0.1 });
    // 0.1 as a float32 is the double 0.10000000149011612; its JSON is 0.1, as protoc prints it.
    expect(response.json()).toMatchObject({ weight: 0.1, ratio: 0.1 });
    expect((await post(gateway, "Echo", { weight: 3.4028234663852886e38 })).json().weight).toBe(3.4028235e38);
    // Some need all 9 digits.
    const nine = Math.fround(-1.23494905e-23);
    expect((await post(gateway, "Echo", { weight: nine })).json().weight).toBe(-1.23494905e-23);
  });

  it("maps google.protobuf.Any both ways by its @type: a message's fields inline, a well-known type's JSON under value; a type of another API file too", async () => {
    const upstream = await inventory();
    const gateway = await gatewayTo(upstream.address);
    const url = (name: string) => `type.googleapis.com/${name}`;
    const size = { "@type": url("inventory.v1.Size"), width: 2, height: 3 };
    const cases = [size, { "@type": url("google.protobuf.Duration"), value: "1.500s" }, { "@type": url("google.protobuf.Any"), value: size }, { "@type": url("google.protobuf.Struct"), value: { a: [1, null] } }, {}];
    for (const any of cases) {
      const response = await post(gateway, "Echo", { any });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().any).toEqual(any);
    }
    // The service got a real Any: the type URL and the message's own bytes.
    await post(gateway, "Echo", { any: size });
    const root = protobuf.loadSync(fileURLToPath(new URL("inventory.proto", FIXTURE_PROTOS)));
    const everythingType = root.lookupType("inventory.v1.Everything");
    const seen = everythingType.decode(upstream.seen.at(-1)!.request as Buffer) as unknown as { any: { type_url: string; value: Uint8Array } };
    expect(seen.any.type_url).toBe(url("inventory.v1.Size"));
    expect(root.lookupType("inventory.v1.Size").toObject(root.lookupType("inventory.v1.Size").decode(seen.any.value))).toEqual({ width: 2, height: 3 });

    // A well-known type the file does not import, and a message of another service's API in proto/.
    const elsewhere = [
      { "@type": url("google.protobuf.Empty") },
      { "@type": url("ledger.v1.Entry"), account: "a-1", cents: "250", tag: { key: "k", value: "v" } },
      // In two files, defined the same in both.
      { "@type": url("common.v1.Tag"), key: "colour", value: "red" },
      // google.rpc's error details, known without a file: what a service's own message may carry.
      { "@type": url("google.rpc.ErrorInfo"), reason: "OUT_OF_STOCK", domain: "inventory.example", metadata: { sku: "a-1" } },
      { "@type": url("google.rpc.RetryInfo"), retryDelay: "1.500s" },
      { "@type": url("google.rpc.BadRequest"), fieldViolations: [{ field: "name", description: "must not be empty", reason: "EMPTY" }] },
      { "@type": url("google.rpc.Status"), code: 5, message: "gone", details: [{ "@type": url("google.rpc.ResourceInfo"), resourceType: "item", resourceName: "item-9", owner: "", description: "" }] },
    ];
    for (const any of elsewhere) {
      const response = await post(gateway, "Echo", { any });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().any).toEqual(any);
    }

    const refused = async (any: unknown) => {
      const response = await post(gateway, "Echo", { any });
      expect(response.statusCode, response.body).toBe(400);
      return response.json().detail as string;
    };
    expect(await refused({ "@type": url("nope.v1.Thing"), a: 1 })).toMatch(/^field "any\.@type" names "type\.googleapis\.com\/nope\.v1\.Thing", a type the gateway's proto\/ files do not define/);
    expect(await refused({ "@type": "inventory.v1.Size" })).toMatch(/^field "any\.@type" names "inventory\.v1\.Size"/);
    expect(await refused({ width: 1 })).toMatch(/^field "any" must be an object with "@type"/);
    expect(await refused({ "@type": url("inventory.v1.Size"), depth: 1 })).toMatch(/^unknown field "any\.depth"/);
    expect(await refused({ "@type": url("inventory.v1.Size"), width: "x" })).toMatch(/^field "any\.width" must be an int32/);
    expect(await refused({ "@type": url("google.protobuf.Duration"), seconds: 1 })).toMatch(/^field "any" is a google\.protobuf\.Any of google\.protobuf\.Duration: give its JSON as "value"/);
    expect(await refused({ "@type": url("google.protobuf.Duration"), value: "soon" })).toMatch(/^field "any\.value" must be a duration/);
    // Two of the gateway's files define it, differently: which one the service meant is not guessed.
    expect(await refused({ "@type": url("common.v1.Money"), units: "1" })).toBe('a google.protobuf.Any of "type.googleapis.com/common.v1.Money", a type proto/common.proto and proto/tariffs.proto define differently');

    // An answer holding an Any of a type the gateway does not know is the service's 502, not a guess.
    upstream.state.answer = Buffer.from(everythingType.encode(everythingType.fromObject({ any: { type_url: url("other.v1.Secret"), value: Buffer.from([8, 1]) } })).finish());
    const unknown = await post(gateway, "Echo", {});
    expect(unknown.statusCode).toBe(502);
    expect(unknown.json().detail).toBe('inventory answered Echo with what proto3 JSON cannot carry: a google.protobuf.Any of "type.googleapis.com/other.v1.Secret", a type the gateway\'s proto/ files do not define');
  });

  it("answers 502 when the service answers what proto3 JSON cannot carry (a Timestamp past year 9999)", async () => {
    const upstream = await inventory();
    const gateway = await gatewayTo(upstream.address);
    const everythingType = protobuf.loadSync(fileURLToPath(new URL("inventory.proto", FIXTURE_PROTOS))).lookupType("inventory.v1.Everything");
    for (const seconds of ["253402300800", "-62135596801", "9007199254740993"]) {
      upstream.state.answer = Buffer.from(everythingType.encode(everythingType.fromObject({ due: { seconds, nanos: 0 } })).finish());
      const response = await post(gateway, "Echo", {});
      expect(response.statusCode).toBe(502);
      expect(response.json()).toMatchObject({ status: 502, upstream: "inventory", detail: `inventory answered Echo with what proto3 JSON cannot carry: a google.protobuf.Timestamp of ${seconds} s and 0 ns is outside years 1 to 9999` });
    }
    for (const wait of [{ seconds: "315576000001", nanos: 0 }, { seconds: "-1", nanos: 5 }]) {
      upstream.state.answer = Buffer.from(everythingType.encode(everythingType.fromObject({ wait })).finish());
      const response = await post(gateway, "Echo", {});
      expect(response.statusCode).toBe(502);
      expect(response.json().detail).toBe(`inventory answered Echo with what proto3 JSON cannot carry: a google.protobuf.Duration of ${wait.seconds} s and ${wait.nanos} ns is not one (within ±315576000000 s, nanos of the same sign)`);
    }
    upstream.state.answer = Buffer.from(everythingType.encode(everythingType.fromObject({ values: [{ numberValue: Number.NaN }] })).finish());
    expect((await post(gateway, "Echo", {})).json()).toMatchObject({ status: 502, detail: "inventory answered Echo with what proto3 JSON cannot carry: a google.protobuf.Value of NaN is not a JSON number" });
    upstream.state.answer = Buffer.from(everythingType.encode(everythingType.fromObject({ due: { seconds: "253402300799", nanos: 999_999_999 } })).finish());
    expect((await post(gateway, "Echo", {})).json().due).toBe("9999-12-31T23:59:59.999999999Z");
  });

  it("takes an empty body as the empty request, also when it is sent as JSON", async () => {
    const upstream = await inventory();
    const gateway = await gatewayTo(upstream.address);
    const response = await gateway.app.inject({ method: "POST", url: "/inventory/ListItems", headers: { "content-type": "application/json" }, payload: "" });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual([]);
    const broken = await gateway.app.inject({ method: "POST", url: "/inventory/ListItems", headers: { "content-type": "application/json" }, payload: "{" });
    expect(broken.statusCode).toBe(400);
    expect(broken.headers["content-type"]).toMatch(/^application\/problem\+json/);
  });

  it("cancels a server stream when the caller goes away, and still logs the request (499) and ends its spans", async () => {
    const upstream = await inventory();
    upstream.state.behaviour = "silent";
    const gateway = await gatewayTo(upstream.address);
    const base = await gateway.app.listen({ host: "127.0.0.1", port: 0 });
    const controller = new AbortController();
    const call = fetch(`${base}/inventory/ListItems`, { method: "POST", signal: controller.signal });
    await until(() => upstream.seen.length === 1);
    controller.abort();
    await expect(call).rejects.toThrow();
    await until(() => upstream.state.cancelled === 1);
    await until(() => gateway.logs.records().some((r) => r.msg === "request completed" && r.url === "/inventory/ListItems"));
    expect(gateway.logs.records().find((r) => r.msg === "request completed" && r.url === "/inventory/ListItems")).toMatchObject({ route: "/inventory", status: 499 });
    await until(() => spans.spans().some((span) => span.name === "inventory.v1.InventoryService/ListItems"));
    expect(spans.one("POST /inventory")).toBeDefined();
  });

  it("cancels a bidirectional stream when the caller goes away while the server is still answering", async () => {
    const upstream = await inventory();
    upstream.state.behaviour = "silent";
    const gateway = await gatewayTo(upstream.address);
    const base = await gateway.app.listen({ host: "127.0.0.1", port: 0 });
    const controller = new AbortController();
    const call = fetch(`${base}/inventory/TrackItems`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([{ id: "item-1" }]), signal: controller.signal });
    await until(() => upstream.seen.length === 1);
    // Let a few answers through first: the stream is mid-way, not just opened.
    await new Promise((resolve) => setTimeout(resolve, 150));
    controller.abort();
    await expect(call).rejects.toThrow();
    await until(() => upstream.state.cancelled === 1);
    await until(() => gateway.logs.records().some((r) => r.msg === "request completed" && r.url === "/inventory/TrackItems"));
    expect(gateway.logs.records().find((r) => r.msg === "request completed" && r.url === "/inventory/TrackItems")).toMatchObject({ route: "/inventory", status: 499 });
    await until(() => spans.spans().some((span) => span.name === "inventory.v1.InventoryService/TrackItems"));
  });

  it("cancels a quiet server stream as soon as the caller goes away, not at the deadline a minute later", async () => {
    const upstream = await inventory();
    upstream.state.behaviour = "quiet";
    const gateway = await gatewayTo(upstream.address, {}, { public: true, timeoutMs: 60_000 });
    const base = await gateway.app.listen({ host: "127.0.0.1", port: 0 });
    const controller = new AbortController();
    const call = fetch(`${base}/inventory/ListItems`, { method: "POST", signal: controller.signal });
    await until(() => upstream.seen.length === 1);
    controller.abort();
    await expect(call).rejects.toThrow();
    // until() gives up after 5 s, long before the one-minute deadline.
    await until(() => upstream.state.cancelled === 1);
    await until(() => gateway.logs.records().some((r) => r.msg === "request completed" && r.url === "/inventory/ListItems"));
    expect(gateway.logs.records().find((r) => r.msg === "request completed" && r.url === "/inventory/ListItems")).toMatchObject({ route: "/inventory", status: 499 });
    expect(gateway.logs.records().filter((r) => r.level === "error" || r.level === "warn"), "a caller that left is no upstream error").toEqual([]);
    await until(() => spans.spans().some((span) => span.name === "inventory.v1.InventoryService/ListItems"));
  });

  it("cancels both streams and logs both requests (499) when a pipelining caller closes its connection", async () => {
    const upstream = await inventory();
    upstream.state.behaviour = "silent";
    const gateway = await gatewayTo(upstream.address);
    await gateway.app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = gateway.app.server.address() as AddressInfo;
    const socket = connect(port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    // The second request waits behind the first on the connection: its answer has no socket yet.
    const request = (n: number) => `POST /inventory/ListItems?n=${n} HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n`;
    socket.write(request(1) + request(2));
    await until(() => upstream.seen.length === 2);
    socket.destroy();
    await until(() => upstream.state.cancelled === 2);
    const lines = () => gateway.logs.records().filter((r) => r.msg === "request completed" && String(r.url).startsWith("/inventory/ListItems"));
    await until(() => lines().length === 2);
    expect(lines().map((line) => [line.url, line.status]).sort()).toEqual([["/inventory/ListItems?n=1", 499], ["/inventory/ListItems?n=2", 499]]);
    await until(() => spans.spans().filter((span) => span.name === "POST /inventory").length === 2);
  });

  it("holds one close listener per connection, however many streams it pipelines: no listener-leak warning, every one cancelled", async () => {
    const upstream = await inventory();
    upstream.state.behaviour = "silent";
    const gateway = await gatewayTo(upstream.address);
    await gateway.app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = gateway.app.server.address() as AddressInfo;
    const warnings: Error[] = [];
    const warned = (warning: Error) => warnings.push(warning);
    process.on("warning", warned);
    try {
      const socket = connect(port, "127.0.0.1");
      await new Promise((resolve) => socket.once("connect", resolve));
      // Node's server takes pipelined requests in order but holds their answers: 12 streams wait on one socket at once.
      const count = 12;
      socket.write(Array.from({ length: count }, (_, n) => `POST /inventory/ListItems?n=${n} HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n`).join(""));
      await until(() => upstream.seen.length === count);
      socket.destroy();
      await until(() => upstream.state.cancelled === count);
      await until(() => gateway.logs.records().filter((r) => r.msg === "request completed" && r.status === 499).length === count);
      // A warning is emitted on the next tick after the listener that passed the limit.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((warning) => warning.name)).not.toContain("MaxListenersExceededWarning");
    } finally {
      process.off("warning", warned);
    }
  });

  it("answers 404 naming the methods it serves for an unknown method or none; 405 for another HTTP method", async () => {
    const upstream = await inventory();
    const gateway = await gatewayTo(upstream.address);
    const methods = "CreateItem, GetItem, ListItems, ImportItems, Echo, TrackItems";
    const unknown = await post(gateway, "DeleteItem", {});
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toBe(`inventory has no method DeleteItem (methods: ${methods})`);
    for (const url of ["/inventory", "/inventory/"]) {
      const none = await gateway.app.inject({ method: "POST", url });
      expect(none.statusCode).toBe(404);
      expect(none.json().detail).toBe(`name a method: POST /inventory/<Method> (methods: ${methods})`);
    }
    // URLs fastify cannot route answer problem bodies too, with the request id.
    for (const url of ["/inventory/%zz", `/inventory/${"A".repeat(150)}`]) {
      const odd = await gateway.app.inject({ method: "POST", url });
      expect(odd.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(odd.headers["content-type"], url).toMatch(/^application\/problem\+json/);
      expect(odd.headers["x-request-id"], url).toBeDefined();
    }
    const get = await gateway.app.inject({ method: "GET", url: "/inventory/GetItem" });
    expect(get.statusCode).toBe(405);
    expect(get.headers.allow).toBe("POST");
    expect(get.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(upstream.seen).toHaveLength(0);
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
    // A subject gRPC text metadata cannot carry goes as UTF-8 bytes, not as a failed call.
    const accented = await post(gateway, "GetItem", { id: "x" }, bearer(await issuer.sign({ sub: "josé" })));
    expect(accented.statusCode).toBe(404);
    expect(upstream.seen.at(-1)!.metadata["x-auth-subject-bin"]).toBe("josé");
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
    // A stream is not counted by the breaker, but an open one stops it too.
    const stream = await post(gateway, "ListItems");
    expect(stream.statusCode).toBe(503);
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

  it("gives each route to the same service its own timeout and breaker", async () => {
    const upstream = await inventory();
    upstream.state.behaviour = "silent";
    const gateway = await buildTestGateway(
      [
        { path: "/inventory", service: "inventory", protocol: "grpc", url: upstream.address, public: true, timeoutMs: 2000 },
        { path: "/quick", service: "inventory", protocol: "grpc", url: upstream.address, public: true, timeoutMs: 100 },
      ],
      undefined,
      { BREAKER_THRESHOLD: "1" },
    );
    gateways.push(gateway);
    const quick = await gateway.app.inject({ method: "POST", url: "/quick/GetItem", payload: { id: "x" } });
    expect(quick.statusCode).toBe(504);
    expect(quick.json().detail).toBe("inventory did not answer within 100 ms");
    expect(gateway.breakers.get("/quick")!.state).toBe(CircuitState.Open);
    expect(gateway.breakers.get("/inventory")!.state).toBe(CircuitState.Closed);
  });

  it("does not start with an API file that does not parse: a config error naming it and its line", async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { pathToFileURL } = await import("node:url");
    const dir = mkdtempSync(join(tmpdir(), "gateway-proto-"));
    try {
      writeFileSync(join(dir, "broken.proto"), 'syntax = "proto3";\npackage broken.v1;\nthis is { not proto\n');
      const config = loadConfig(configSchema, {
        GATEWAY_ROUTES: JSON.stringify([{ path: "/broken", service: "broken", protocol: "grpc", urlEnv: "BROKEN_URL", public: true }]),
        BROKEN_URL: "127.0.0.1:50051",
      });
      const logger = createLogger({ service: "gateway", level: "silent" });
      expect(() => openUpstreams(config, logger, new HealthRegistry(), undefined, pathToFileURL(`${dir}/`))).toThrow(/^config error: proto\/broken\.proto cannot be read: illegal token 'this' \(proto\/broken\.proto, line 3\)$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("starts beside another proto/ file that does not parse, and says once which one and why", async () => {
    const { copyFileSync, mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { pathToFileURL } = await import("node:url");
    const dir = mkdtempSync(join(tmpdir(), "gateway-proto-"));
    try {
      copyFileSync(fileURLToPath(new URL("inventory.proto", FIXTURE_PROTOS)), join(dir, "inventory.proto"));
      writeFileSync(join(dir, "notes.proto"), 'syntax = "proto3";\npackage notes.v1;\nmessage Note { string text = 1 }\n');
      // Two routes to two services read the other files twice: still one line.
      const config = loadConfig(configSchema, {
        GATEWAY_ROUTES: JSON.stringify([
          { path: "/inventory", service: "inventory", protocol: "grpc", urlEnv: "INVENTORY_URL", public: true },
          { path: "/stock", service: "stock", protocol: "grpc", urlEnv: "STOCK_URL", public: true },
        ]),
        INVENTORY_URL: "127.0.0.1:50051",
        STOCK_URL: "127.0.0.1:50052",
      });
      copyFileSync(join(dir, "inventory.proto"), join(dir, "stock.proto"));
      const logs = (await import("./platform/log-capture.js")).captureLogs();
      const logger = createLogger({ service: "gateway", level: "info", destination: logs.stream });
      const upstreams = openUpstreams(config, logger, new HealthRegistry(), undefined, pathToFileURL(`${dir}/`));
      try {
        expect(upstreams.map((u) => u.name)).toEqual(["inventory", "stock"]);
        const warnings = logs.records().filter((r) => r.level === "warn");
        expect(warnings).toHaveLength(1);
        expect(warnings[0].file).toBe("proto/notes.proto");
        expect(warnings[0].msg).toBe(
          "proto/notes.proto cannot be read, so an Any of a type only it defines is not mapped (a 502 in an answer, a 400 in a body): illegal token '}', ';' expected (line 3)",
        );
      } finally {
        for (const upstream of upstreams) if (upstream.protocol === "grpc") upstream.grpc.client.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
