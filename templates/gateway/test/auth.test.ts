import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { answer, startLocalServer, type LocalServer } from "./platform/local-server.js";
import { bearer, buildTestGateway, makeIssuer } from "./test-gateway.js";

describe("authentication at the edge", () => {
  let upstream: LocalServer;
  let issuer: Awaited<ReturnType<typeof makeIssuer>>;
  let gateway: Awaited<ReturnType<typeof buildTestGateway>>;

  beforeAll(async () => {
    upstream = await startLocalServer((_req, res) => answer(res, 200, { ok: true }));
    issuer = await makeIssuer();
    gateway = await buildTestGateway(
      [
        { path: "/orders", service: "orders", url: upstream.url },
        { path: "/catalog", service: "catalog", url: upstream.url, public: true },
        { path: "/admin", service: "admin", url: upstream.url, scopes: ["admin"] },
      ],
      issuer.publicKeyPem,
    );
  });

  afterAll(async () => {
    await gateway.app.close();
    await upstream.close();
  });

  it("answers 401 with a problem body when there is no token, and calls nothing", async () => {
    const before = upstream.requests.length;
    const response = await gateway.app.inject({ method: "GET", url: "/orders" });
    expect(response.statusCode).toBe(401);
    expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(response.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(response.json()).toMatchObject({ status: 401, title: "Unauthorized", detail: expect.stringMatching(/bearer token is required/) });
    expect(upstream.requests.length).toBe(before);
  });

  it("answers 401 for a token for another audience, one signed by another key, and an expired one", async () => {
    for (const token of [
      await issuer.sign({ aud: "someone-else" }),
      await issuer.signAsStranger(),
      await issuer.sign({ expiresIn: "-10m" }),
    ]) {
      const response = await gateway.app.inject({ method: "GET", url: "/orders", headers: bearer(token) });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ status: 401 });
    }
  });

  it("passes a valid token through, with the verified subject and scopes, and drops what the client claimed", async () => {
    const token = await issuer.sign({ sub: "alice", scope: "orders:read orders:write" });
    const response = await gateway.app.inject({
      method: "GET",
      url: "/orders/17?x=1",
      headers: { ...bearer(token), "x-auth-subject": "mallory", "x-auth-scopes": "admin", "x-auth-role": "root" },
    });
    expect(response.statusCode).toBe(200);
    const seen = upstream.requests.at(-1)!;
    expect(seen.url).toBe("/orders/17?x=1");
    expect(seen.headers["x-auth-subject"]).toBe("alice");
    expect(seen.headers["x-auth-scopes"]).toBe("orders:read orders:write");
    expect(seen.headers["x-auth-role"]).toBeUndefined();
    expect(seen.headers.authorization).toBeUndefined();
  });

  it("passes a subject that is not printable ASCII as x-auth-subject-bin (UTF-8, base64), and drops a forged one", async () => {
    const token = await issuer.sign({ sub: "李-josé", scope: "orders:read" });
    const response = await gateway.app.inject({ method: "GET", url: "/orders", headers: { ...bearer(token), "x-auth-subject-bin": Buffer.from("mallory").toString("base64") } });
    expect(response.statusCode).toBe(200);
    const seen = upstream.requests.at(-1)!;
    expect(Buffer.from(String(seen.headers["x-auth-subject-bin"]), "base64").toString("utf8")).toBe("李-josé");
    expect(seen.headers["x-auth-subject"]).toBeUndefined();
    expect(seen.headers["x-auth-scopes"]).toBe("orders:read");
  });

  it("lets a public route through without a token, and strips a forged subject there too", async () => {
    const response = await gateway.app.inject({ method: "GET", url: "/catalog", headers: { "x-auth-subject": "mallory" } });
    expect(response.statusCode).toBe(200);
    expect(upstream.requests.at(-1)!.headers["x-auth-subject"]).toBeUndefined();
  });

  it("answers 403 when the token lacks a scope the route needs", async () => {
    const response = await gateway.app.inject({ method: "GET", url: "/admin", headers: bearer(await issuer.sign({ scope: "orders:read" })) });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ status: 403, missingScopes: ["admin"] });
    const allowed = await gateway.app.inject({ method: "GET", url: "/admin", headers: bearer(await issuer.sign({ scope: "admin" })) });
    expect(allowed.statusCode).toBe(200);
  });
});

describe("verified tokens, remembered until they expire", () => {
  afterEach(() => vi.useRealTimers());

  it("answers a token it verified before, and checks it again once it has expired", { timeout: 30_000 }, async () => {
    const { createTokenVerifier } = await import("../src/auth/verify-token.js");
    const issuer = await makeIssuer();
    const verify = createTokenVerifier({ publicKeyPem: issuer.publicKeyPem, audience: "shop", clockToleranceMs: 0 })!;
    const token = await issuer.sign({ sub: "carol", expiresIn: "2m" });
    vi.useFakeTimers({ toFake: ["Date"] });
    expect(await verify(token)).toEqual({ subject: "carol", scopes: [] });
    vi.setSystemTime(Date.now() + 30_000);
    expect(await verify(token)).toEqual({ subject: "carol", scopes: [] });
    vi.setSystemTime(Date.now() + 5 * 60_000);
    await expect(verify(token)).rejects.toThrow(/token expired/);
  });
});
