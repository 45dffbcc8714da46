import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

// What is kept from a caller's X-Request-ID: a bounded, printable token, never a log-injection vector.
const ACCEPTED = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's genReqId: the caller's X-Request-ID when it is sane, else a new UUID. */
export function requestIdOf(raw: IncomingMessage): string {
  const incoming = raw.headers["x-request-id"];
  return typeof incoming === "string" && ACCEPTED.test(incoming) ? incoming : randomUUID();
}
