import { STATUS_CODES } from "node:http";
import type { FastifyError, FastifyInstance } from "fastify";
import { DependencyError } from "../platform/dependency.js";
import { failHop } from "../platform/trace-context.js";

/**
 * Answers an unexpected failure with a plain 500 and logs the real error
 * (with the request's trace ids); fastify's default would send the error's
 * own message, which can leak internals. 4xx errors keep fastify's body, logged as one line; a failed
 * dependency answers 503 (unreachable, timed out, circuit open) or 502 (it answered with an error).
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.statusCode !== undefined && error.statusCode < 500) {
      // The caller's mistake: one line at INFO, no stack (fastify's own handling would log the whole error).
      request.log.info({ status_code: error.statusCode, code: error.code, reason: error.message }, "request rejected");
      const body = { statusCode: error.statusCode, code: error.code, error: STATUS_CODES[error.statusCode] ?? "Client Error", message: error.message };
      return reply.code(error.statusCode).send(body);
    }
    if (error instanceof DependencyError) {
      // Which dependency and what it did is what the caller needs; 503 means "try again later".
      request.log.warn({ err: error }, "dependency failed");
      failHop(request.trace, error);
      const statusCode = error.unavailable ? 503 : 502;
      const reason = statusCode === 503 ? "Service Unavailable" : "Bad Gateway";
      return reply.code(statusCode).send({ statusCode, error: reason, message: error.message });
    }
    request.log.error({ err: error }, "request failed");
    failHop(request.trace, error);
    return reply.code(500).send({ statusCode: 500, error: "Internal Server Error", message: "internal error" });
  });
}
