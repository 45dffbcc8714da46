import type { FastifyReply, FastifyRequest } from "fastify";
import { TokenError, type Caller, type TokenVerifier } from "../auth/verify-token.js";
import { ProblemError } from "./problem.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The verified caller; undefined on a public route without a token. */
    caller?: Caller;
  }
}

export interface AuthPolicy {
  public: boolean;
  /** Scopes the token must carry (403 otherwise). */
  scopes: readonly string[];
}

/**
 * The verified caller as the upstream is told it, one place for HTTP headers and gRPC metadata:
 * `x-auth-subject` and `x-auth-scopes` (space-separated). A value that is not printable ASCII
 * (a subject "李" or "josé") goes as `<key>-bin`, its UTF-8 bytes: gRPC's own rule for binary
 * metadata, base64 in an HTTP header. Headers cannot carry it as text: Node refuses characters
 * past Latin-1 and sends Latin-1 as single bytes.
 */
export function callerFields(caller: Caller): Array<{ key: string; text: string } | { key: string; bytes: Buffer }> {
  return [
    ["x-auth-subject", caller.subject],
    ["x-auth-scopes", caller.scopes.join(" ")],
  ].map(([key, value]) => (PRINTABLE_ASCII.test(value) ? { key, text: value } : { key: `${key}-bin`, bytes: Buffer.from(value, "utf8") }));
}

/** The verified caller as HTTP headers (binary values in base64). */
export function callerHeaders(caller: Caller | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const field of caller ? callerFields(caller) : []) headers[field.key] = "text" in field ? field.text : field.bytes.toString("base64");
  return headers;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

const BEARER = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;

/**
 * An onRequest hook: a public route passes (a valid token there still names the caller, for
 * rate limits); any other needs a valid bearer token (401) with the route's scopes (403).
 */
export function authHook(verify: TokenVerifier | undefined, policy: AuthPolicy) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    if (header === undefined || verify === undefined) {
      if (policy.public) return;
      reply.header("www-authenticate", 'Bearer realm="gateway"');
      throw new ProblemError(401, "a bearer token is required (Authorization: Bearer <jwt>)");
    }
    const token = BEARER.exec(header)?.[1];
    try {
      if (!token) throw new TokenError("Authorization is not a bearer JWT", 401);
      request.caller = await verify(token);
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      if (error.status === 503) throw new ProblemError(503, error.message);
      if (policy.public) return;
      reply.header("www-authenticate", `Bearer realm="gateway", error="invalid_token"`);
      throw new ProblemError(401, error.message);
    }
    const missing = policy.scopes.filter((scope) => !request.caller!.scopes.includes(scope));
    if (missing.length > 0) {
      reply.header("www-authenticate", `Bearer realm="gateway", error="insufficient_scope", scope="${policy.scopes.join(" ")}"`);
      throw new ProblemError(403, `token lacks scope ${missing.join(", ")}`, { missingScopes: missing });
    }
  };
}
