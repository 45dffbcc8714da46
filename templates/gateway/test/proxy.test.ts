import { afterEach, describe, expect, it } from "vitest";
import { CircuitState } from "cockatiel";
import { answer, startLocalServer, type LocalServer } from "./platform/local-server.js";
import { buildTestGateway } from "./test-gateway.js";

const servers: LocalServer[] = [];
const gateways: Array<Awaited<ReturnType<typeof buildTestGateway>>> = [];

afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.app.close();
  for (const server of servers.splice(0)) await server.close();
});

async function server(handler: Parameters<typeof startLocalServer>[0]): Promise<LocalServer> {
  const started = await startLocalServer(handler);
  servers.push(started);
  return started;
}

async function gatewayTo(url: string, env: Record<string, string> = {}, timeoutMs?: number) {
  const gateway = await buildTestGateway([{ path: "/orders", service: "orders", url, public: true, ...(timeoutMs ? { timeoutMs } : {}) }], undefined, env);
  gateways.push(gateway);
  return gateway;
}

/** A port nothing listens on: a server started and closed. */
async function deadUrl(): Promise<string> {
  const gone = await startLocalServer(() => undefined);
  await gone.close();
  return gone.url;
}

describe("proxying with request ids, spans, timeouts and a circuit breaker", () => {
  it("sends the request id and the gateway's span to the upstream, and the body as it came", async () => {
    const upstream = await server((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => answer(res, 201, { echoed: body }));
    });
    const gateway = await gatewayTo(upstream.url);
    const traceId = "4bf92f3577b34da6a3ce929b0e0e4736";
    const response = await gateway.app.inject({
      method: "POST",
      url: "/orders",
      headers: { "content-type": "application/json", "x-request-id": "req-42", traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      payload: JSON.stringify({ name: "a" }),
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ echoed: '{"name":"a"}' });
    expect(response.headers["x-request-id"]).toBe("req-42");
    const seen = upstream.requests.at(-1)!;
    expect(seen.headers["x-request-id"]).toBe("req-42");
    // The upstream's parent is the gateway's client span for the call, a child of the span the
    // caller got back; tracestate names that server span, the gateway's hop.
    const gatewaySpan = String(response.headers.traceparent).split("-")[2];
    expect(seen.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-(?!00f067aa0ba902b7|${gatewaySpan})[0-9a-f]{16}-01$`));
    expect(seen.headers.tracestate).toBe(`msx=${gatewaySpan}`);

    const access = gateway.logs.records().find((r) => r.msg === "request completed" && r.url === "/orders");
    expect(access).toMatchObject({ route: "/orders", upstream: "orders", status: 201, trace_id: traceId, reqId: "req-42" });
  });

  it("makes a request id when the caller sends none (or an unusable one)", async () => {
    const upstream = await server((_req, res) => answer(res, 200));
    const gateway = await gatewayTo(upstream.url);
    const response = await gateway.app.inject({ method: "GET", url: "/orders", headers: { "x-request-id": "bad id\twith tabs" } });
    expect(response.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(upstream.requests.at(-1)!.headers["x-request-id"]).toBe(response.headers["x-request-id"]);
  });

  it("answers 503 with a problem body when the upstream is unreachable", async () => {
    const gateway = await gatewayTo(await deadUrl());
    const response = await gateway.app.inject({ method: "GET", url: "/orders" });
    expect(response.statusCode).toBe(503);
    expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 503, upstream: "orders", detail: expect.stringMatching(/orders is unreachable/) });
  });

  it("answers 504 when the upstream does not answer within the route's timeout", async () => {
    const upstream = await server(() => undefined); // never answers
    const gateway = await gatewayTo(upstream.url, {}, 200);
    const response = await gateway.app.inject({ method: "GET", url: "/orders" });
    expect(response.statusCode).toBe(504);
    expect(response.json()).toMatchObject({ status: 504, detail: "orders did not answer within 200 ms" });
  });

  it("opens the circuit after N failures (then 503 without calling), and closes it once the upstream recovers", async () => {
    let healthy = false;
    const upstream = await server((_req, res) => answer(res, healthy ? 200 : 500));
    const gateway = await gatewayTo(upstream.url, { BREAKER_THRESHOLD: "3", BREAKER_HALF_OPEN_AFTER: "300ms" });
    const breaker = gateway.breakers.get("/orders")!;
    for (let i = 0; i < 3; i += 1) expect((await gateway.app.inject({ method: "GET", url: "/orders" })).statusCode).toBe(500);
    expect(breaker.state).toBe(CircuitState.Open);

    const calls = upstream.requests.length;
    const refused = await gateway.app.inject({ method: "GET", url: "/orders" });
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({ detail: expect.stringMatching(/circuit open/) });
    expect(upstream.requests.length).toBe(calls);

    healthy = true;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await gateway.app.inject({ method: "GET", url: "/orders" })).statusCode).toBe(200);
    expect(breaker.state).toBe(CircuitState.Closed);
  });
});
