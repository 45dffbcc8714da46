import type { JWK } from "jose";
import { z } from "zod";
import { integerVar, textVar } from "./config.js";
import type { Logger } from "./logger.js";

/**
 * Service-to-service authentication (templates/README.md has the token's claims):
 * a caller signs a short-lived JWT with the workspace key (SERVICE_TOKEN_KEY),
 * `aud` the service it calls; a service accepts only tokens signed by the
 * workspace key (SERVICE_AUTH_PUBLIC_KEY) with `aud` = its own SERVICE_NAME.
 */
export const serviceAuthConfigShape = {
  /** The workspace's public key (JWK JSON); unset: auth off, every caller accepted (one INFO line at start). */
  SERVICE_AUTH_PUBLIC_KEY: jwkVar("public").optional(),
  /** The signing key (private JWK JSON) of a service that calls others; unset: its calls carry no token. */
  SERVICE_TOKEN_KEY: jwkVar("private").optional(),
  /** `iss` of the tokens signed and required (msx sets the workspace name); unset: not checked. */
  SERVICE_AUTH_ISSUER: textVar().optional(),
  /** Lifetime of the tokens this service signs. */
  SERVICE_TOKEN_TTL_S: integerVar(30, 3600).default(300),
};

interface ServiceAuthConfig {
  SERVICE_NAME: string;
  SERVICE_AUTH_PUBLIC_KEY?: string;
  SERVICE_TOKEN_KEY?: string;
  SERVICE_AUTH_ISSUER?: string;
  SERVICE_TOKEN_TTL_S: number;
}

/** The caller it names (`sub`), or why the token was refused, in words fit for a log line. */
export type AuthVerdict = { ok: true; caller: string } | { ok: false; reason: string; claimedCaller?: string };

export interface ServiceAuth {
  readonly enabled: boolean;
  /** The `authorization` header's verdict: synchronous for a token verified before, until it expires. */
  check(authorization: string | undefined): AuthVerdict | Promise<AuthVerdict>;
}

/** Seconds of clock difference between two hosts that are tolerated on exp and iat. */
const CLOCK_TOLERANCE_S = 5;
/** Verified tokens kept; a caller reuses its token for minutes, so a few per caller are plenty. */
const CACHE_LIMIT = 1000;

type Jose = typeof import("jose");
// Loaded only when a key is set (~200 ms of startup): a service run by hand, or one that fails its config, never pays.
const loadJose = (): Promise<Jose> => import("jose");

/** No key, no check: every request passes. A service run by hand works as before. */
export const serviceAuthOff: ServiceAuth = { enabled: false, check: () => ({ ok: true, caller: "unknown" }) };

/** The verifier of this service's internal routes and methods. */
export async function createServiceAuth(config: ServiceAuthConfig, logger: Logger): Promise<ServiceAuth> {
  if (!config.SERVICE_AUTH_PUBLIC_KEY) {
    logger.info("service auth off: SERVICE_AUTH_PUBLIC_KEY is not set, internal routes accept any caller");
    return serviceAuthOff;
  }
  const jose = await loadJose();
  const jwk = JSON.parse(config.SERVICE_AUTH_PUBLIC_KEY) as JWK;
  const algorithm = algorithmOf(jwk);
  const key = await jose.importJWK(jwk, algorithm);
  const options = { audience: config.SERVICE_NAME, issuer: config.SERVICE_AUTH_ISSUER, algorithms: [algorithm], clockTolerance: CLOCK_TOLERANCE_S };
  // Verifying costs a signature check (~0.1 ms): a token seen before is answered from here until its exp.
  const verified = new Map<string, { caller: string; untilMs: number }>();

  const verify = async (token: string): Promise<AuthVerdict> => {
    try {
      const { payload } = await jose.jwtVerify(token, key, options);
      if (typeof payload.sub !== "string" || typeof payload.exp !== "number") return { ok: false, reason: "token names no caller (sub) or no expiry (exp)" };
      if (verified.size >= CACHE_LIMIT) verified.delete(verified.keys().next().value!);
      verified.set(token, { caller: payload.sub, untilMs: payload.exp * 1000 });
      return { ok: true, caller: payload.sub };
    } catch (error) {
      return { ok: false, reason: rejection(jose, error), claimedCaller: claimedCaller(jose, token) };
    }
  };
  return {
    enabled: true,
    check(authorization) {
      const token = bearerToken(authorization);
      if (token === undefined) return { ok: false, reason: authorization ? "authorization is not a Bearer token" : "no service token (authorization header missing)" };
      const hit = verified.get(token);
      if (hit && hit.untilMs > Date.now()) return { ok: true, caller: hit.caller };
      if (hit) verified.delete(token);
      return verify(token);
    },
  };
}

export interface ServiceTokens {
  /** A token for a call to `audience` (the callee's SERVICE_NAME), reused until a minute before it expires; undefined without a key. */
  tokenFor(audience: string): Promise<string | undefined>;
}

/** The signer of this service's outgoing calls. */
export async function createServiceTokens(config: ServiceAuthConfig, logger: Logger): Promise<ServiceTokens> {
  if (!config.SERVICE_TOKEN_KEY) {
    let said = false;
    return {
      tokenFor: async () => {
        if (!said) logger.info("service tokens off: SERVICE_TOKEN_KEY is not set, calls to dependencies carry no token");
        said = true;
        return undefined;
      },
    };
  }
  const jose = await loadJose();
  const jwk = JSON.parse(config.SERVICE_TOKEN_KEY) as JWK;
  const algorithm = algorithmOf(jwk);
  const key = await jose.importJWK(jwk, algorithm);
  const ttlS = config.SERVICE_TOKEN_TTL_S;
  const cached = new Map<string, { token: Promise<string>; renewAtMs: number }>();
  const sign = (audience: string) => {
    const header = { alg: algorithm, typ: "JWT", ...(jwk.kid ? { kid: jwk.kid } : {}) };
    const jwt = new jose.SignJWT({}).setProtectedHeader(header).setSubject(config.SERVICE_NAME).setAudience(audience).setIssuedAt().setExpirationTime(`${ttlS}s`);
    if (config.SERVICE_AUTH_ISSUER) jwt.setIssuer(config.SERVICE_AUTH_ISSUER);
    return jwt.sign(key);
  };
  return {
    tokenFor(audience) {
      const entry = cached.get(audience);
      if (entry && entry.renewAtMs > Date.now()) return entry.token;
      const token = sign(audience);
      // Renewed with a margin, so a token is never sent in its last minute (or last fifth of a short life).
      cached.set(audience, { token, renewAtMs: Date.now() + Math.max(ttlS * 800, ttlS * 1000 - 60_000) });
      token.catch(() => cached.delete(audience));
      return token;
    },
  };
}

function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization || authorization.slice(0, 7).toLowerCase() !== "bearer ") return undefined;
  const token = authorization.slice(7).trim();
  return token === "" ? undefined : token;
}

/** Why jose refused it, without the token itself. */
function rejection({ errors }: Jose, error: unknown): string {
  if (error instanceof errors.JWTExpired) return "token expired";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "signature does not match the workspace key";
  if (error instanceof errors.JWTClaimValidationFailed) return `claim ${error.claim} rejected: ${error.reason}`;
  if (error instanceof errors.JOSEAlgNotAllowed) return "token signed with another algorithm than the workspace key's";
  if (error instanceof errors.JOSEError) return `malformed token (${error.code})`;
  return "token could not be verified";
}

/** The `sub` an unverified token claims: logged as a claim, never trusted. */
function claimedCaller(jose: Jose, token: string): string | undefined {
  try {
    const sub = jose.decodeJwt(token).sub;
    return typeof sub === "string" ? sub.slice(0, 100) : undefined;
  } catch {
    return undefined;
  }
}

function algorithmOf(jwk: JWK): string {
  return jwk.alg ?? (jwk.kty === "EC" ? "ES256" : "EdDSA");
}

/** An Ed25519 (OKP) or P-256 (EC) JWK as JSON; `d` present for the private half only. */
function jwkVar(half: "public" | "private") {
  return z.string().refine((value) => isJwk(value, half), `must be an Ed25519 or P-256 ${half} JWK as JSON`);
}

function isJwk(value: string, half: "public" | "private"): boolean {
  try {
    const jwk = JSON.parse(value) as JWK;
    const shape = (jwk.kty === "OKP" && jwk.crv === "Ed25519") || (jwk.kty === "EC" && jwk.crv === "P-256");
    return shape && typeof jwk.x === "string" && (half === "private" ? typeof jwk.d === "string" : jwk.d === undefined);
  } catch {
    return false;
  }
}
