import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answer, startLocalServer, type LocalServer } from "./platform/local-server.js";
import { startInventory, type Inventory } from "./inventory-server.js";
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

describe("GET /bff/overview: an HTTP and a gRPC upstream composed", () => {
  let orders: LocalServer;
  let inventory: Inventory;
  let issuer: Awaited<ReturnType<typeof makeIssuer>>;
  let gateway: Awaited<ReturnType<typeof buildTestGateway>>;

  beforeAll(async () => {
    orders = await startLocalServer((_req, res) => answer(res, 200, [{ id: "o1" }]));
    inventory = await startInventory();
    for (let i = 1; i <= 7; i += 1) inventory.items.set(`item-${i}`, { id: `item-${i}`, name: `thing ${i}`, quantity: i, weightGrams: "9007199254740993", unit: "UNIT_BOX", tags: [] });
    issuer = await makeIssuer();
    gateway = await buildTestGateway(
      [
        { path: "/orders", service: "orders", url: orders.url },
        { path: "/inventory", service: "inventory", protocol: "grpc", url: inventory.address },
        // No List method: nothing to compose.
        { path: "/ledger", service: "ledger", protocol: "grpc", url: inventory.address },
      ],
      issuer.publicKeyPem,
    );
  });

  afterAll(async () => {
    await gateway.app.close();
    await orders.close();
    inventory.stop();
  });

  it("reads the first five of the gRPC service's List stream, in the caller's trace, for the verified caller", async () => {
    const response = await gateway.app.inject({ method: "GET", url: "/bff/overview", headers: bearer(await issuer.sign({ sub: "alice" })) });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ partial: false, missing: [], orders: [{ id: "o1" }] });
    // proto3 JSON, as the gRPC routes answer: int64 as a string, enums by name.
    expect(body.inventory).toHaveLength(5);
    expect(body.inventory[0]).toEqual({ id: "item-1", name: "thing 1", quantity: 1, weightGrams: "9007199254740993", unit: "UNIT_BOX", tags: [] });
    expect(body.inventory.map((item: { id: string }) => item.id)).toEqual(["item-1", "item-2", "item-3", "item-4", "item-5"]);
    expect(Object.keys(body)).not.toContain("ledger");
    const call = inventory.seen.filter((seen) => seen.method === "ListItems").at(-1)!;
    expect(call.request).toEqual({ limit: 5 });
    expect(call.metadata["x-auth-subject"]).toBe("alice");
    const traceId = (response.headers.traceparent as string).split("-")[1];
    expect(call.metadata.traceparent).toMatch(new RegExp(`^00-${traceId}-`));
  });

  it("says once at start which gRPC service it leaves out, and why", () => {
    const lines = gateway.logs.records().filter((r) => String(r.msg).startsWith("/bff/overview leaves"));
    expect(lines.map((r) => r.msg)).toEqual(["/bff/overview leaves ledger out: its API has no server-streaming List method that takes a limit"]);
  });

  it("stops a stream that sends more than it asked for at five, and cancels it", async () => {
    inventory.state.behaviour = "silent";
    const cancelled = inventory.state.cancelled;
    try {
      const response = await gateway.app.inject({ method: "GET", url: "/bff/overview", headers: bearer(await issuer.sign()) });
      expect(response.statusCode).toBe(200);
      expect(response.json().inventory).toHaveLength(5);
      await until(() => inventory.state.cancelled > cancelled);
    } finally {
      inventory.state.behaviour = "normal";
    }
  });

  it("answers without the gRPC service, named in missing, when it is down", async () => {
    inventory.stop();
    const response = await gateway.app.inject({ method: "GET", url: "/bff/overview", headers: bearer(await issuer.sign()) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ partial: true, missing: ["inventory"], orders: [{ id: "o1" }] });
    const warning = gateway.logs.records().find((r) => r.msg === "composed call failed, answering without it" && r.upstream === "inventory");
    expect(warning?.reason).toMatch(/UNAVAILABLE/);
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}
