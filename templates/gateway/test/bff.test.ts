import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answer, startLocalServer, type LocalServer } from "./platform/local-server.js";
import { bearer, buildTestGateway, makeIssuer } from "./test-gateway.js";

describe("GET /bff/overview: two upstreams composed in parallel", () => {
  let orders: LocalServer;
  let stock: LocalServer;
  let stockUp = true;
  let issuer: Awaited<ReturnType<typeof makeIssuer>>;
  let gateway: Awaited<ReturnType<typeof buildTestGateway>>;

  beforeAll(async () => {
    orders = await startLocalServer((_req, res) => answer(res, 200, { items: [{ id: "o1" }] }));
    stock = await startLocalServer((_req, res) => answer(res, stockUp ? 200 : 503, { items: [{ id: "s1" }] }));
    issuer = await makeIssuer();
    gateway = await buildTestGateway(
      [
        { path: "/orders", service: "orders", url: orders.url },
        { path: "/stock", service: "stock", url: stock.url },
      ],
      issuer.publicKeyPem,
    );
  });

  afterAll(async () => {
    await gateway.app.close();
    await orders.close();
    await stock.close();
  });

  it("merges both answers, in the caller's trace, for the verified caller", async () => {
    const token = await issuer.sign({ sub: "alice" });
    const response = await gateway.app.inject({ method: "GET", url: "/bff/overview", headers: bearer(token) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ partial: false, missing: [], orders: { items: [{ id: "o1" }] }, stock: { items: [{ id: "s1" }] } });
    expect(orders.requests.at(-1)!.url).toBe("/orders?limit=5");
    expect(orders.requests.at(-1)!.headers["x-auth-subject"]).toBe("alice");
    const traceId = (response.headers.traceparent as string).split("-")[1];
    expect(stock.requests.at(-1)!.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-`));
  });

  it("answers 200 with what it has and names what is missing when one upstream fails", async () => {
    stockUp = false;
    const response = await gateway.app.inject({ method: "GET", url: "/bff/overview", headers: bearer(await issuer.sign()) });
    stockUp = true;
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ partial: true, missing: ["stock"], orders: { items: [{ id: "o1" }] } });
  });

  it("needs a token like the routes it composes", async () => {
    expect((await gateway.app.inject({ method: "GET", url: "/bff/overview" })).statusCode).toBe(401);
  });
});
