import { STATUS_CODES } from "node:http";
import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";

/** An RFC 9457 problem body: what every error the gateway answers itself looks like. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
}

export const PROBLEM_TYPE = "application/problem+json";

/** An error that carries the problem the gateway answers with (thrown from hooks and plugins). */
export class ProblemError extends Error {
  override name = "ProblemError";
  constructor(
    readonly statusCode: number,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

export function problemBody(status: number, detail: string, extensions: Record<string, unknown> = {}): Problem {
  return { type: "about:blank", title: STATUS_CODES[status] ?? "Error", status, detail, ...extensions };
}

export function sendProblem(reply: FastifyReply, status: number, detail: string, extensions: Record<string, unknown> = {}): FastifyReply {
  return reply.code(status).type(PROBLEM_TYPE).send(problemBody(status, detail, extensions));
}

/**
 * Every error becomes a problem body: a 4xx keeps its message (the caller's mistake), a 5xx
 * from the gateway itself is logged with its stack and answered without internals.
 */
export function installProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ProblemError, request, reply) => {
    const status = error.statusCode ?? 500;
    const extensions = error instanceof ProblemError ? error.extensions : {};
    if (status < 500) {
      request.log.info({ status_code: status, reason: error.message }, "request rejected");
      return sendProblem(reply, status, error instanceof ProblemError ? error.detail : error.message, extensions);
    }
    if (error instanceof ProblemError) {
      request.log.warn({ status_code: status, reason: error.message }, "request failed");
      return sendProblem(reply, status, error.detail, extensions);
    }
    request.log.error({ err: error }, "request failed");
    return sendProblem(reply, 500, "internal error");
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, 404, `no route for ${request.method} ${request.url.split("?")[0]}`));
}
