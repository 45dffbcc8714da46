import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SpanKind } from "../src/platform/trace-context.js";
import { answer, startLocalServer, type LocalServer } from "./platform/local-server.js";
import { captureSpans, parentOf } from "./platform/span-capture.js";
import { buildTestGateway } from "./test-gateway.js";

const TRACE_ID = "4bf92f3577b34da6a3ce929b0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";
const TRACEPARENT = `00-${TRACE_ID}-${CALLER_SPAN}-01`;

const spans = await captureSpans();
const servers: LocalServer[] = [];
const gateways: Array<Awaited<ReturnType<typeof buildTestGateway>>> = [];
beforeEach(() => spans.reset());
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.app.close();
  for (const server of servers.splice(0)) await server.close();
});

/** Waits (up to 5 s) for what the event loop or another process does. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(done()).toBe(true);
}

/** A gateway over one test server per service, each always answering the given status. */
async function gatewayOver(upstreams: Record<string, number>) {
  const routes = [];
  for (const [service, status] of Object.entries(upstreams)) {
    const server = await startLocalServer((_req, res) => answer(res, status, { items: [] }));
    servers.push(server);
    routes.push({ path: `/${service}`, service, url: server.url, public: true });
  }
  const gateway = await buildTestGateway(routes, undefined);
  gateways.push(gateway);
  return gateway;
}

describe("the gateway's own OpenTelemetry spans", () => {
  it("ends the spans and logs 499 when the caller goes away before the upstream answers", async () => {
    let answerLater = () => {};
    const server = await startLocalServer((_req, res) => (answerLater = () => answer(res, 200, { late: true })));
    servers.push(server);
    const gateway = await buildTestGateway([{ path: "/orders", service: "orders", url: server.url, public: true }], undefined);
    gateways.push(gateway);
    const base = await gateway.app.listen({ host: "127.0.0.1", port: 0 });
    const controller = new AbortController();
    const call = fetch(`${base}/orders/7`, { method: "GET", headers: { traceparent: TRACEPARENT }, signal: controller.signal });
    await until(() => server.requests.length === 1);
    controller.abort();
    await expect(call).rejects.toThrow();
    const line = () => gateway.logs.records().find((r) => r.msg === "request completed" && r.url === "/orders/7");
    await until(() => line() !== undefined);
    expect(line()).toMatchObject({ route: "/orders", upstream: "orders", status: 499, trace_id: TRACE_ID });
    await until(() => spans.spans().length === 2);
    const serverSpan = spans.one("GET /orders");
    expect(serverSpan.attributes["http.response.status_code"]).toBe(499);
    expect(parentOf(spans.one("GET"))).toBe(serverSpan.spanContext().spanId);
    // The upstream's late answer changes nothing: one line, one server span.
    answerLater();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gateway.logs.records().filter((r) => r.msg === "request completed" && r.url === "/orders/7")).toHaveLength(1);
    expect(spans.spans().filter((span) => span.name === "GET /orders")).toHaveLength(1);
  });

  it("records a server span per request, named by the gateway route, and a client span per upstream call that is the upstream's parent", async () => {
    const gateway = await gatewayOver({ orders: 201 });
    const response = await gateway.app.inject({ method: "POST", url: "/orders/7/lines?x=1", headers: { traceparent: TRACEPARENT }, payload: {} });
    expect(response.statusCode).toBe(201);

    const server = spans.one("POST /orders");
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.spanContext().traceId).toBe(TRACE_ID);
    expect(parentOf(server)).toBe(CALLER_SPAN);
    expect(server.attributes).toEqual({ "http.request.method": "POST", "url.path": "/orders/7/lines", "http.route": "/orders", "http.response.status_code": 201 });
    expect(String(response.headers.traceparent)).toBe(`00-${TRACE_ID}-${server.spanContext().spanId}-01`);

    const client = spans.one("POST");
    expect(client.kind).toBe(SpanKind.CLIENT);
    expect(parentOf(client)).toBe(server.spanContext().spanId);
    expect(client.attributes).toEqual({ "http.request.method": "POST", "url.full": `${servers[0].url}/orders/7/lines?x=1`, "http.response.status_code": 201 });
    expect(servers[0].requests[0].headers.traceparent).toBe(`00-${TRACE_ID}-${client.spanContext().spanId}-01`);
    // The client span ends before the server span it is part of. By the order they ended, not by their
    // end times: the SDK anchors each span's start on Date.now() (whole ms), so two spans ending
    // within a millisecond of each other can carry end times in either order.
    expect(spans.spans().indexOf(client)).toBeLessThan(spans.spans().indexOf(server));
  });

  it("fails both spans when the upstream is unreachable (503) or answers a 5xx, and neither for a 4xx", async () => {
    const gone = await startLocalServer(() => undefined);
    await gone.close();
    const gateway = await buildTestGateway([{ path: "/orders", service: "orders", url: gone.url, public: true }], undefined);
    gateways.push(gateway);
    expect((await gateway.app.inject({ url: "/orders" })).statusCode).toBe(503);
    const server = spans.one("GET /orders");
    expect(server.status.code).toBe(2);
    expect(server.attributes["http.response.status_code"]).toBe(503);
    const client = spans.one("GET");
    expect(client.status.code).toBe(2);
    expect(client.events.map((event) => event.name)).toEqual(["exception"]);

    spans.reset();
    const answering = await gatewayOver({ stock: 500, billing: 404 });
    await answering.app.inject({ url: "/stock" });
    await answering.app.inject({ url: "/billing/1" });
    const [stockCall, billingCall] = spans.spans().filter((span) => span.kind === SpanKind.CLIENT);
    expect([stockCall.status.code, stockCall.attributes["http.response.status_code"]]).toEqual([2, 500]);
    expect([billingCall.status.code, billingCall.attributes["http.response.status_code"]]).toEqual([0, 404]);
    expect(spans.one("GET /billing").status.code).toBe(0);
  });

  it("gives each call of the BFF route a client span under the route's server span", async () => {
    const gateway = await gatewayOver({ orders: 200, stock: 200 });
    expect((await gateway.app.inject({ url: "/bff/overview", headers: { traceparent: TRACEPARENT } })).statusCode).toBe(200);
    const server = spans.one("GET /bff/overview");
    const calls = spans.spans().filter((span) => span.kind === SpanKind.CLIENT);
    expect(calls.map((call) => call.attributes["url.full"]).sort()).toEqual([`${servers[0].url}/orders?limit=5`, `${servers[1].url}/stock?limit=5`].sort());
    for (const call of calls) expect(parentOf(call)).toBe(server.spanContext().spanId);
  });

  it("records no span for health probes", async () => {
    const gateway = await gatewayOver({ orders: 200 });
    expect((await gateway.app.inject({ url: "/health/live" })).statusCode).toBe(200);
    expect(spans.spans()).toEqual([]);
  });
});
