import { decodeJwt, decodeProtectedHeader } from "jose";
import { z } from "zod";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../src/platform/config.js";
import { createHttpClient } from "../../src/platform/http-client.js";
import { createLogger } from "../../src/platform/logger.js";
import { createServiceAuth, createServiceTokens, serviceAuthConfigShape, type AuthVerdict } from "../../src/platform/service-auth.js";
import { answer, startLocalServer, type LocalServer } from "./local-server.js";
import { captureLogs } from "./log-capture.js";
import { signTestToken, testServiceKeys, type TestKeys } from "./service-keys.js";

const schema = z.object({ SERVICE_NAME: z.string(), ...serviceAuthConfigShape });
const now = () => Math.floor(Date.now() / 1000);

let keys: TestKeys;
let other: TestKeys;
beforeAll(async () => {
  keys = await testServiceKeys();
  other = await testServiceKeys("another");
});

function config(name: string, env: Record<string, string> = {}) {
  return loadConfig(schema, { SERVICE_NAME: name, SERVICE_AUTH_ISSUER: "shop", SERVICE_AUTH_PUBLIC_KEY: keys.publicKey, SERVICE_TOKEN_KEY: keys.privateKey, ...env });
}

const logger = () => {
  const logs = captureLogs();
  return { logs, logger: createLogger({ service: "test", level: "debug", destination: logs.stream }) };
};

describe("service tokens", () => {
  it("are signed for the callee, by the caller, for a few minutes, and reused", async () => {
    const tokens = await createServiceTokens(config("orders"), logger().logger);
    const token = (await tokens.tokenFor("stock"))!;
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: "shop", sub: "orders", aud: "stock" });
    expect(claims.exp! - claims.iat!).toBe(300);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: "EdDSA", kid: "test-key" });
    expect(await tokens.tokenFor("stock")).toBe(token);
    expect(await tokens.tokenFor("billing")).not.toBe(token);
  });

  it("are accepted by the callee, and answered from the cache the second time", async () => {
    const tokens = await createServiceTokens(config("orders"), logger().logger);
    const auth = await createServiceAuth(config("stock"), logger().logger);
    const header = `Bearer ${await tokens.tokenFor("stock")}`;
    expect(await auth.check(header)).toEqual({ ok: true, caller: "orders" });
    // Verified before: a plain value, no promise, no signature check.
    expect(auth.check(header)).toEqual({ ok: true, caller: "orders" });
  });

  const rejected = async (header: string | undefined): Promise<string> => {
    const auth = await createServiceAuth(config("stock"), logger().logger);
    const verdict: AuthVerdict = await auth.check(header);
    expect(verdict.ok).toBe(false);
    return verdict.ok ? "" : verdict.reason;
  };

  it("are refused when missing, not Bearer, or not a JWT", async () => {
    expect(await rejected(undefined)).toMatch(/no service token/);
    expect(await rejected("Basic dXNlcjpwYXNz")).toMatch(/not a Bearer token/);
    expect(await rejected("Bearer not.a.jwt")).toMatch(/malformed token/);
  });

  it("are refused when signed by another key, for another service, by another workspace, or expired", async () => {
    expect(await rejected(`Bearer ${await signTestToken(other.privateKey, { sub: "orders", aud: "stock", iss: "shop" })}`)).toMatch(/signature/);
    expect(await rejected(`Bearer ${await signTestToken(keys.privateKey, { sub: "orders", aud: "billing", iss: "shop" })}`)).toMatch(/claim aud/);
    expect(await rejected(`Bearer ${await signTestToken(keys.privateKey, { sub: "orders", aud: "stock", iss: "elsewhere" })}`)).toMatch(/claim iss/);
    expect(await rejected(`Bearer ${await signTestToken(keys.privateKey, { sub: "orders", aud: "stock", iss: "shop", expiresAt: now() - 60 })}`)).toMatch(/expired/);
    expect(await rejected(`Bearer ${await signTestToken(keys.privateKey, { aud: "stock", iss: "shop" })}`)).toMatch(/no caller/);
  });

  it("a cached token is refused once it expires", async () => {
    const auth = await createServiceAuth(config("stock"), logger().logger);
    const header = `Bearer ${await signTestToken(keys.privateKey, { sub: "orders", aud: "stock", iss: "shop", expiresAt: now() + 1 })}`;
    expect(await auth.check(header)).toMatchObject({ ok: true });
    // Past exp and the clock tolerance (5 s): the cache must not keep answering yes.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 10_000 });
    try {
      expect(await auth.check(header)).toMatchObject({ ok: false, reason: "token expired" });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("service auth config", () => {
  it("is off without a public key, said once at INFO, and then everything passes", async () => {
    const { logs, logger: log } = logger();
    const auth = await createServiceAuth(loadConfig(schema, { SERVICE_NAME: "stock" }), log);
    expect(auth.enabled).toBe(false);
    expect(await auth.check(undefined)).toMatchObject({ ok: true });
    expect(logs.records().filter((r) => r.level === "info" && String(r.msg).includes("service auth off"))).toHaveLength(1);
  });

  it("rejects a key that is not a JWK of the right half, without echoing it", () => {
    expect(() => loadConfig(schema, { SERVICE_NAME: "x", SERVICE_AUTH_PUBLIC_KEY: keys.privateKey })).toThrow(/SERVICE_AUTH_PUBLIC_KEY must be an Ed25519 or P-256 public JWK as JSON \(value hidden\)/);
    expect(() => loadConfig(schema, { SERVICE_NAME: "x", SERVICE_TOKEN_KEY: "-----BEGIN" })).toThrow(/SERVICE_TOKEN_KEY must be .* private JWK/);
  });
});

describe("the HTTP client with tokenFor", () => {
  let server: LocalServer | undefined;
  afterEach(async () => server?.close());

  it("sends a Bearer token for the dependency it calls, and leaves one the caller set", async () => {
    server = await startLocalServer((_req, res) => answer(res, 200));
    const tokens = await createServiceTokens(config("orders"), logger().logger);
    const client = createHttpClient({ baseUrl: server.url, name: "stock", tokenFor: tokens.tokenFor });
    await (await client.get("/stock")).body?.cancel();
    await (await client.get("/stock", { headers: { authorization: "Bearer mine" } })).body?.cancel();
    const [first, second] = server.requests.map((r) => r.headers.authorization);
    expect(decodeJwt(first!.replace(/^Bearer /, ""))).toMatchObject({ sub: "orders", aud: "stock" });
    expect(second).toBe("Bearer mine");
  });
});
