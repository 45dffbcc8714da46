import { CircuitState } from "cockatiel";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpClient, DependencyError, type HttpClientOptions } from "../../src/platform/http-client.js";
import { startTrace } from "../../src/platform/trace-context.js";
import { answer, startLocalServer, type LocalServer } from "./local-server.js";

let server: LocalServer | undefined;
afterEach(async () => server?.close());

// Tiny delays keep the tests quick; nothing below depends on how long anything took.
const fast: Omit<HttpClientOptions, "baseUrl"> = { initialDelayMs: 1, maxDelayMs: 5, timeoutMs: 1000 };

/** Answers 503 to the first `failures` requests, then 200. */
function flakyServer(failures: number): Promise<LocalServer> {
  return startLocalServer((_req, res, hit) => answer(res, hit <= failures ? 503 : 200));
}

describe("createHttpClient", () => {
  it("retries an idempotent GET until it succeeds", async () => {
    server = await flakyServer(2);
    const client = createHttpClient({ baseUrl: server.url, ...fast, maxRetries: 2 });
    const response = await client.get("/stock/1");
    expect(response.status).toBe(200);
    expect(server.requests).toHaveLength(3);
  });

  it("retries PUT and DELETE too", async () => {
    server = await flakyServer(1);
    const client = createHttpClient({ baseUrl: server.url, ...fast });
    expect((await client.put("/stock/1", { json: { quantity: 2 } })).status).toBe(200);
    expect((await client.delete("/stock/1")).status).toBe(200);
    expect(server.requests.map((r) => r.method)).toEqual(["PUT", "PUT", "DELETE"]);
  });

  it("never retries a POST: it may already have been applied", async () => {
    server = await flakyServer(1);
    const client = createHttpClient({ baseUrl: server.url, ...fast, maxRetries: 3 });
    const response = await client.post("/orders", { json: { name: "x" } });
    expect(response.status).toBe(503);
    expect(server.requests).toHaveLength(1);
  });

  it("gives each attempt its own timeout, then retries", async () => {
    server = await startLocalServer((_req, res, hit) => {
      if (hit > 1) answer(res, 200); // the first request is left hanging
    });
    const client = createHttpClient({ baseUrl: server.url, ...fast, timeoutMs: 200, maxRetries: 3 });
    expect((await client.get("/slow")).status).toBe(200);
    // At least one retry after the hung attempt; more only if this machine is very slow.
    expect(server.requests.length).toBeGreaterThanOrEqual(2);
  });

  it("opens the circuit after consecutive failures and then fails without calling", async () => {
    server = await startLocalServer((_req, res) => answer(res, 500));
    const client = createHttpClient({ baseUrl: server.url, ...fast, maxRetries: 0, breakerThreshold: 2 });
    expect((await client.get("/a")).status).toBe(500);
    expect((await client.get("/a")).status).toBe(500);
    expect(client.circuitState).toBe(CircuitState.Open);
    await expect(client.get("/a")).rejects.toThrow(/circuit open/);
    expect(server.requests).toHaveLength(2);
  });

  it("throws a DependencyError naming the dependency when it cannot be reached", async () => {
    const gone = await startLocalServer(() => undefined);
    await gone.close();
    const client = createHttpClient({ baseUrl: gone.url, name: "stock", ...fast, maxRetries: 1 });
    const failure = client.get("/stock/1");
    await expect(failure).rejects.toBeInstanceOf(DependencyError);
    await expect(failure).rejects.toThrow(/^stock: GET http:\/\/127\.0\.0\.1:\d+\/stock\/1 failed: .*ECONNREFUSED/);
  });

  it("passes the given trace on in a client span of this span, and this hop in tracestate", async () => {
    server = await startLocalServer((_req, res) => answer(res, 200));
    const client = createHttpClient({ baseUrl: server.url, ...fast });
    const trace = startTrace();
    await client.get("/with-trace", { trace });
    await client.get("/without-trace");
    expect(server.requests[0].headers.traceparent).toMatch(new RegExp(`^00-${trace.traceId}-(?!${trace.spanId})[0-9a-f]{16}-01$`));
    expect(server.requests[0].headers.tracestate).toBe(`msx=${trace.spanId}`);
    expect(server.requests[1].headers.traceparent).toBeUndefined();
  });
});
