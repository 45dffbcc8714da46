import { createPublicKey, type KeyObject } from "node:crypto";
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from "jose";

/** Who a verified token says is calling. */
export interface Caller {
  subject: string;
  scopes: string[];
}

export interface VerifierOptions {
  jwksUrl?: string;
  publicKeyPem?: string;
  issuer?: string;
  audience?: string;
  clockToleranceMs: number;
}

/** A token that does not pass (401), or a key source that cannot be reached (503). */
export class TokenError extends Error {
  override name = "TokenError";
  constructor(
    message: string,
    readonly status: 401 | 503,
  ) {
    super(message);
  }
}

export type TokenVerifier = (token: string) => Promise<Caller>;

// Asymmetric only: a gateway that accepted HS256 would take any token signed with its public key as the secret.
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

/** Checks a bearer token's signature (JWKS or a PEM key), expiry, issuer and audience with jose. */
export function createTokenVerifier(options: VerifierOptions): TokenVerifier | undefined {
  const key = keySource(options);
  if (!key) return undefined;
  const verifyOptions = {
    algorithms: ALGORITHMS,
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: Math.round(options.clockToleranceMs / 1000),
  };
  const cache = new VerifiedTokens();
  return async (token) => {
    const known = cache.get(token);
    if (known) return known;
    let payload: JWTPayload;
    try {
      // Two calls, one per overload of jwtVerify (a key set function, or one key).
      payload = typeof key === "function" ? (await jwtVerify(token, key, verifyOptions)).payload : (await jwtVerify(token, key, verifyOptions)).payload;
    } catch (error) {
      throw asTokenError(error);
    }
    if (typeof payload.sub !== "string" || payload.sub === "") throw new TokenError("token has no subject (sub)", 401);
    const caller = { subject: payload.sub, scopes: scopesOf(payload) };
    cache.set(token, caller, payload.exp);
    return caller;
  };
}

/**
 * Tokens already verified, until they expire (at most a minute): a client sends the same token
 * on every request, and an RSA signature check costs more CPU than all the rest of a proxied
 * call. Bounded; the oldest entry goes first.
 */
class VerifiedTokens {
  readonly #entries = new Map<string, { caller: Caller; until: number }>();

  get(token: string): Caller | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (entry.until > Date.now()) return entry.caller;
    this.#entries.delete(token);
    return undefined;
  }

  set(token: string, caller: Caller, exp: number | undefined): void {
    const until = Math.min(exp === undefined ? Infinity : exp * 1000, Date.now() + 60_000);
    if (this.#entries.size >= 10_000) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(token, { caller, until });
  }
}

function keySource(options: VerifierOptions): KeyObject | ReturnType<typeof createRemoteJWKSet> | undefined {
  // JWKS responses are cached and refetched on an unknown kid (jose's own cooldown).
  if (options.jwksUrl) return createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 2000 });
  // Env files often carry a PEM on one line with literal \n.
  if (options.publicKeyPem) return createPublicKey(options.publicKeyPem.replace(/\\n/g, "\n"));
  return undefined;
}

/** `scope: "a b"` (RFC 8693) or `scp: ["a", "b"]` (as some issuers write it). */
function scopesOf(payload: JWTPayload): string[] {
  if (typeof payload.scope === "string") return payload.scope.split(" ").filter(Boolean);
  if (Array.isArray(payload.scp)) return payload.scp.filter((s): s is string => typeof s === "string");
  return [];
}

function asTokenError(error: unknown): TokenError {
  if (error instanceof errors.JWTExpired) return new TokenError("token expired", 401);
  if (error instanceof errors.JWTClaimValidationFailed) return new TokenError(`token ${error.claim} claim rejected: ${error.reason}`, 401);
  if (error instanceof errors.JWKSTimeout) return new TokenError("key set (AUTH_JWKS_URL) did not answer in time", 503);
  if (error instanceof errors.JOSEError) return new TokenError(`token rejected: ${error.code}`, 401);
  // A fetch of the key set that failed (connection refused, bad JSON): not the caller's fault.
  return new TokenError(`key set (AUTH_JWKS_URL) unavailable: ${(error as Error).message}`, 503);
}
