import * as grpc from "@grpc/grpc-js";
import type { Logger } from "../platform/logger.js";
import type { AuthVerdict, ServiceAuth } from "../platform/service-auth.js";

type AnyCall = grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>;
type AnyHandler = (call: AnyCall, callback?: grpc.sendUnaryData<unknown>) => void;

/**
 * Every method of the API answers UNAUTHENTICATED unless the caller's
 * `authorization` metadata holds a service token for this service
 * (platform/service-auth.ts). Health and reflection are added beside it and
 * stay open. With auth off the handlers are returned as they are.
 */
export function guardWithServiceToken<H extends grpc.UntypedServiceImplementation>(
  definition: grpc.ServiceDefinition,
  handlers: H,
  auth: ServiceAuth,
  logger: Logger,
): H {
  if (!auth.enabled) return handlers;
  const guarded: Record<string, AnyHandler> = {};
  for (const [name, handler] of Object.entries(handlers) as Array<[string, AnyHandler]>) {
    const method = definition[name];
    guarded[name] = (call, callback) => {
      const header = call.metadata.get("authorization")[0];
      const verdict = auth.check(typeof header === "string" ? header : undefined);
      const settle = (v: AuthVerdict) => (v.ok ? handler(call, callback) : reject(call, callback, v, method?.path ?? name, logger));
      if (verdict instanceof Promise) verdict.then(settle, (error: unknown) => settle({ ok: false, reason: String(error) }));
      else settle(verdict);
    };
  }
  return guarded as unknown as H;
}

function reject(call: AnyCall, callback: grpc.sendUnaryData<unknown> | undefined, verdict: Extract<AuthVerdict, { ok: false }>, method: string, logger: Logger): void {
  // Who called and why it was refused; never the token.
  logger.warn({ caller: verdict.claimedCaller ?? "unknown", peer: call.getPeer(), method, reason: verdict.reason }, "service token rejected");
  const error: Partial<grpc.StatusObject> = { code: grpc.status.UNAUTHENTICATED, details: `service token rejected: ${verdict.reason}` };
  if (callback) callback(error);
  else call.emit("error", error);
}
