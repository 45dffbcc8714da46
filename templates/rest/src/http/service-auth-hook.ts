import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AuthVerdict, ServiceAuth } from "../platform/service-auth.js";

/**
 * Internal routes (everything registered on `app` after this) answer 401 unless
 * the caller sends a service token for this service (platform/service-auth.ts).
 * Register it inside the plugin that holds those routes: health and
 * /openapi.json, outside it, stay open. With auth off it adds nothing.
 */
export function requireServiceToken(app: FastifyInstance, auth: ServiceAuth): void {
  if (!auth.enabled) return;
  app.addHook("onRequest", (request, reply, done) => {
    const verdict = auth.check(request.headers.authorization);
    if (!(verdict instanceof Promise)) return settle(request, reply, verdict, done);
    verdict.then((v) => settle(request, reply, v, done), done);
  });
}

function settle(request: FastifyRequest, reply: FastifyReply, verdict: AuthVerdict, done: (error?: Error) => void): void {
  if (verdict.ok) return done();
  // Who called and why it was refused; never the token.
  request.log.warn({ caller: verdict.claimedCaller ?? "unknown", peer: request.ip, method: request.method, url: request.url, reason: verdict.reason }, "service token rejected");
  void reply
    .code(401)
    .header("www-authenticate", 'Bearer error="invalid_token"')
    .send({ statusCode: 401, code: "SERVICE_TOKEN_REJECTED", error: "Unauthorized", message: `service token rejected: ${verdict.reason}` });
}
