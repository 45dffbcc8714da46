import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answer, startLocalServer, type LocalServer } from "./platform/local-server.js";
import { bearer, buildTestGateway, makeIssuer } from "./test-gateway.js";

describe("rate limits per route and client (in memory)", () => {
  let upstream: LocalServer;
  let issuer: Awaited<ReturnType<typeof makeIssuer>>;
  let gateway: Awaited<ReturnType<typeof buildTestGateway>>;

  beforeAll(async () => {
    upstream = await startLocalServer((_req, res) => answer(res, 200));
    issuer = await makeIssuer();
    gateway = await buildTestGateway(
      [
        { path: "/orders", service: "orders", url: upstream.url, rateLimit: { max: 3, windowMs: 60_000 } },
        { path: "/stock", service: "stock", url: upstream.url },
      ],
      issuer.publicKeyPem,
      { RATE_LIMIT_MAX: "5", RATE_LIMIT_WINDOW: "1m" },
    );
  });

  afterAll(async () => {
    await gateway.app.close();
    await upstream.close();
  });

  it("answers the request over the route's limit with 429, Retry-After and RateLimit-* headers", async () => {
    const alice = bearer(await issuer.sign({ sub: "alice" }));
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i += 1) {
      last = await gateway.app.inject({ method: "GET", url: "/orders", headers: alice });
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last!.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(Number(last!.headers["retry-after"])).toBeGreaterThan(0);
    expect(last!.headers["ratelimit-limit"]).toBe("3");
    expect(last!.headers["ratelimit-remaining"]).toBe("0");
    expect(last!.json()).toMatchObject({ status: 429, limit: 3, detail: expect.stringMatching(/^rate limit of 3 requests per 1 minute reached; retry after \d+ s$/) });
  });

  it("counts each client (token subject) and each route apart; the default limit applies where the route sets none", async () => {
    const bob = bearer(await issuer.sign({ sub: "bob" }));
    expect((await gateway.app.inject({ method: "GET", url: "/orders", headers: bob })).statusCode).toBe(200);
    const alice = bearer(await issuer.sign({ sub: "alice" }));
    const stock: number[] = [];
    for (let i = 0; i < 6; i += 1) stock.push((await gateway.app.inject({ method: "GET", url: "/stock/1", headers: alice })).statusCode);
    expect(stock).toEqual([200, 200, 200, 200, 200, 429]);
  });
});
