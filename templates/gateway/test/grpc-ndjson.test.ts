import { request as httpRequest, type IncomingMessage } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { SpanStatusCode } from "@opentelemetry/api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { captureSpans, parentOf } from "./platform/span-capture.js";
import { buildTestGateway } from "./test-gateway.js";
import { startInventory, type Inventory, type Item } from "./inventory-server.js";

// A gRPC route's streams message by message (src/proxy/grpc-ndjson.ts): a request stream sent as
// application/x-ndjson, a server stream answered so with Accept: application/x-ndjson, over real
// HTTP/1.1 connections to a real grpc-js server.

const spans = await captureSpans();
const NDJSON = "application/x-ndjson";
const servers: Inventory[] = [];
const gateways: Array<Awaited<ReturnType<typeof buildTestGateway>>> = [];
const calls: OpenCall[] = [];
beforeEach(() => spans.reset());
afterEach(async () => {
  for (const call of calls.splice(0)) call.destroy();
  for (const gateway of gateways.splice(0)) await gateway.app.close();
  for (const server of servers.splice(0)) server.stop();
});

async function inventory(): Promise<Inventory> {
  const started = await startInventory();
  servers.push(started);
  return started;
}

/** A gateway with one public gRPC route, /inventory, listening on a real port: its base URL. */
async function gatewayTo(upstream: Inventory, route: Record<string, unknown> = {}) {
  const gateway = await buildTestGateway([{ path: "/inventory", service: "inventory", protocol: "grpc", url: upstream.address, public: true, ...route }], undefined);
  gateways.push(gateway);
  const base = await gateway.app.listen({ host: "127.0.0.1", port: 0 });
  return { gateway, base };
}

interface OpenCall {
  send(json: unknown): void;
  write(text: string): void;
  end(text?: string): void;
  response: Promise<IncomingMessage>;
  /** The answer's lines so far (the last one also when it has no newline, once the answer ended). */
  lines: string[];
  json(): Array<Record<string, unknown>>;
  ended(): boolean;
  destroy(): void;
}

/**
 * One HTTP/1.1 request whose body the test writes as it goes (chunked), its answer read a line
 * at a time as it arrives: what a client holding a conversation through the gateway does.
 */
function openCall(base: string, path: string, headers: Record<string, string> = { "content-type": NDJSON, accept: NDJSON }): OpenCall {
  const request = httpRequest(new URL(path, base), { method: "POST", headers });
  const lines: string[] = [];
  let rest = "";
  let ended = false;
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    request.on("response", (answer) => {
      answer.setEncoding("utf8");
      answer.on("data", (chunk: string) => {
        rest += chunk;
        for (let end = rest.indexOf("\n"); end >= 0; end = rest.indexOf("\n")) {
          lines.push(rest.slice(0, end));
          rest = rest.slice(end + 1);
        }
      });
      answer.on("end", () => {
        if (rest !== "") lines.push(rest);
        ended = true;
      });
      resolve(answer);
    });
    request.on("error", reject);
  });
  request.flushHeaders();
  const call: OpenCall = {
    send: (json) => void request.write(`${JSON.stringify(json)}\n`),
    write: (text) => void request.write(text),
    end: (text) => void (text === undefined ? request.end() : request.end(text)),
    response,
    lines,
    json: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    ended: () => ended,
    destroy: () => request.destroy(),
  };
  calls.push(call);
  return call;
}

/** Waits (up to 5 s) for what another process or the event loop does. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(done()).toBe(true);
}

const create = async (base: string, name: string) => {
  const response = await fetch(`${base}/inventory/CreateItem`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) });
  expect(response.status).toBe(200);
  return (await response.json()) as Item;
};
const accessLine = (gateway: Awaited<ReturnType<typeof gatewayTo>>["gateway"], url: string) =>
  gateway.logs.records().find((r) => r.msg === "request completed" && r.url === url);

describe("a gRPC route's streams, message by message (application/x-ndjson)", () => {
  it("answers a server stream a line at a time as the service sends it, long before it ends", async () => {
    const upstream = await inventory();
    // silent: one item now, then one every 50 ms, never ending until the caller cancels.
    upstream.state.behaviour = "silent";
    const { gateway, base } = await gatewayTo(upstream, { timeoutMs: 60_000 });
    const call = openCall(base, "/inventory/ListItems", { "content-type": "application/json", accept: NDJSON });
    call.end("{}");
    const response = await call.response;
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^application\/x-ndjson/);
    await until(() => call.lines.length >= 3);
    // Three messages read while the stream goes on: not held until it ends.
    expect(call.ended()).toBe(false);
    expect(call.json().slice(0, 3).map((item) => item.name)).toEqual(["slow", "slow", "slow"]);
    call.destroy();
    await until(() => upstream.state.cancelled === 1);
    await until(() => accessLine(gateway, "/inventory/ListItems") !== undefined);
    await until(() => spans.spans().some((span) => span.name === "inventory.v1.InventoryService/ListItems"));
    // A caller that left is no upstream failure, and the answer already begun is not answered again.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gateway.logs.records().filter((r) => r.level === "error" || r.level === "warn")).toEqual([]);
  });

  it("answers a stream that ends as its lines, and one with no message as an empty body", async () => {
    const upstream = await inventory();
    const { gateway, base } = await gatewayTo(upstream);
    const none = await gateway.app.inject({ method: "POST", url: "/inventory/ListItems", headers: { accept: NDJSON } });
    expect(none.statusCode).toBe(200);
    expect(none.headers["content-type"]).toMatch(/^application\/x-ndjson/);
    expect(none.body).toBe("");
    for (const name of ["a", "b", "c"]) await create(base, name);
    const all = await gateway.app.inject({ method: "POST", url: "/inventory/ListItems", headers: { accept: NDJSON } });
    expect(all.statusCode).toBe(200);
    expect(all.body.endsWith("\n")).toBe(true);
    expect(all.body.trimEnd().split("\n").map((line) => (JSON.parse(line) as Item).name)).toEqual(["a", "b", "c"]);
  });

  it("holds a bidirectional conversation on one HTTP/1.1 request: each message sent as its line arrives, each answer written as it comes", async () => {
    const upstream = await inventory();
    const { gateway, base } = await gatewayTo(upstream);
    for (const name of ["a", "b"]) await create(base, name);
    const call = openCall(base, "/inventory/TrackItems");
    call.send({ id: "item-1" });
    const response = await call.response;
    expect(response.statusCode).toBe(200);
    await until(() => call.lines.length === 1);
    expect(call.json()[0]).toMatchObject({ id: "item-1", name: "a" });
    // The server has read one message, and answered it, before the second is written.
    const seen = upstream.seen.at(-1)!;
    expect(seen.method).toBe("TrackItems");
    expect(seen.request).toEqual(["item-1"]);
    // The next message depends on the answer: what an array body cannot do.
    call.send({ id: call.json()[0].name === "a" ? "item-2" : "item-1" });
    await until(() => call.lines.length === 2);
    expect(call.json()[1]).toMatchObject({ id: "item-2", name: "b" });
    expect(call.ended()).toBe(false);
    call.end();
    await until(() => call.ended());
    expect(seen.request).toEqual(["item-1", "item-2"]);
    await until(() => accessLine(gateway, "/inventory/TrackItems") !== undefined);
    expect(accessLine(gateway, "/inventory/TrackItems")).toMatchObject({ route: "/inventory", upstream: "inventory", status: 200 });
    await until(() => spans.spans().some((span) => span.name === "inventory.v1.InventoryService/TrackItems"));
    expect(spans.spans().filter((span) => span.name === "inventory.v1.InventoryService/TrackItems")).toHaveLength(1);
  });

  it("ends the answer with an error line when the service fails the stream midway, and fails the request's span", async () => {
    const upstream = await inventory();
    const { gateway, base } = await gatewayTo(upstream);
    await create(base, "a");
    const call = openCall(base, "/inventory/TrackItems");
    call.send({ id: "item-1" });
    await until(() => call.lines.length === 1);
    // TrackItems ends the stream NOT_FOUND at an id it does not have.
    call.send({ id: "item-7" });
    await until(() => call.ended());
    expect((await call.response).statusCode).toBe(200);
    const [first, last] = call.json();
    expect(first).toMatchObject({ id: "item-1" });
    expect(last).toEqual({ error: { type: "about:blank", title: "Not Found", status: 404, detail: "item item-7 not found", upstream: "inventory", grpcStatus: "NOT_FOUND" } });
    const warning = gateway.logs.records().find((r) => r.level === "warn" && String(r.msg).startsWith("inventory's stream failed"));
    expect(warning).toMatchObject({ msg: "inventory's stream failed after 1 message(s): item item-7 not found", status: 404, messages: 1 });
    await until(() => spans.spans().some((span) => span.name === "inventory.v1.InventoryService/TrackItems"));
    const client = spans.one("inventory.v1.InventoryService/TrackItems");
    await until(() => spans.spans().some((span) => span.spanContext().spanId === parentOf(client)));
    const server = spans.spans().find((span) => span.spanContext().spanId === parentOf(client))!;
    expect(server.name).toBe("POST /inventory");
    expect(server.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("cancels the call at a line that does not fit: a 400 problem before any answer, the last line after one", async () => {
    const upstream = await inventory();
    const { base } = await gatewayTo(upstream);
    await create(base, "a");
    // The first line is wrong: nothing was answered yet, so the status can still say so.
    const early = openCall(base, "/inventory/TrackItems");
    early.end('{"id": 7}\n');
    const refused = await early.response;
    expect(refused.statusCode).toBe(400);
    expect(refused.headers["content-type"]).toMatch(/^application\/problem\+json/);
    await until(() => early.ended());
    expect(early.json()[0]).toMatchObject({ status: 400, detail: 'field "[0].id" must be a string, not 7' });
    await until(() => upstream.state.cancelled === 1);

    // The second line is not JSON: the first answer is out, so the error is the answer's last line.
    const late = openCall(base, "/inventory/TrackItems");
    late.send({ id: "item-1" });
    await until(() => late.lines.length === 1);
    late.write("{not json\n");
    await until(() => late.ended());
    const last = late.json().at(-1)!;
    expect(last.error).toMatchObject({ status: 400, detail: expect.stringMatching(/^message \[1\] of the body is not JSON: /) });
    await until(() => upstream.state.cancelled === 2);
  });

  it("sends a client stream's lines as its messages and answers its one response; blank lines are skipped", async () => {
    const upstream = await inventory();
    const { gateway } = await gatewayTo(upstream);
    const response = await gateway.app.inject({
      method: "POST",
      url: "/inventory/ImportItems",
      headers: { "content-type": NDJSON },
      payload: '{"name": "a"}\n\n{"name": "b", "quantity": 2}\n{"name": "c"}',
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ count: 3 });
    expect((upstream.seen.at(-1)!.request as Item[]).map((item) => item.name)).toEqual(["a", "b", "c"]);
    // A wrong field names the message by its place among the lines, as in an array body.
    const wrong = await gateway.app.inject({ method: "POST", url: "/inventory/ImportItems", headers: { "content-type": NDJSON }, payload: '{"name": "a"}\n{"quantity": "three"}\n' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().detail).toBe('field "[1].quantity" must be an int32 (a whole number from -2147483648 to 2147483647), not "three"');
    expect(upstream.items.size).toBe(3);
  });

  it("refuses a line longer than the body limit with 413, and a stream of lines to a method that takes one message with 415", async () => {
    const upstream = await inventory();
    const { gateway } = await gatewayTo(upstream);
    const long = `{"name": "${"x".repeat(1_200_000)}"}\n`;
    const tooLong = await gateway.app.inject({ method: "POST", url: "/inventory/ImportItems", headers: { "content-type": NDJSON }, payload: long });
    expect(tooLong.statusCode).toBe(413);
    expect(tooLong.json().detail).toBe("a line of the body is longer than 1048576 bytes, the route's limit for one message");
    expect(upstream.items.size).toBe(0);
    const unary = await gateway.app.inject({ method: "POST", url: "/inventory/CreateItem", headers: { "content-type": NDJSON }, payload: '{"name": "a"}\n' });
    expect(unary.statusCode).toBe(415);
    expect(unary.json().detail).toBe("CreateItem takes one CreateItemRequest: send it as application/json (application/x-ndjson is for a client-streaming or bidirectional method's messages)");
    expect(upstream.seen).toHaveLength(0);
  });

  it("reads and drops a streamed body the gateway refused after parsing began (rate limited): the connection's next request is answered", async () => {
    const upstream = await inventory();
    // The limiter runs after the body's parser has started reading it (auth runs before: no body is read then).
    const { gateway } = await gatewayTo(upstream, { rateLimit: { max: 1, windowMs: 60_000 } });
    const { port } = gateway.app.server.address() as AddressInfo;
    const socket = connect(port, "127.0.0.1");
    let answers = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (answers += chunk));
    const body = '{"name": "a"}\n'.repeat(8000);
    const importItems = `POST /inventory/ImportItems HTTP/1.1\r\nhost: x\r\ncontent-type: ${NDJSON}\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
    // Three requests on one connection: one taken, one refused with a body far past a socket's buffers, then a probe.
    socket.write(importItems + importItems + "GET /health/live HTTP/1.1\r\nhost: x\r\n\r\n");
    const statuses = () => answers.match(/HTTP\/1\.1 \d+/g) ?? [];
    try {
      await until(() => statuses().length === 3);
      expect(statuses()).toEqual(["HTTP/1.1 200", "HTTP/1.1 429", "HTTP/1.1 200"]);
      expect(upstream.seen).toHaveLength(1);
    } finally {
      socket.destroy();
    }
  });
});
