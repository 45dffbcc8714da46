import type { FastifyError, FastifyInstance } from "fastify";

/**
 * Answers an unexpected failure with a plain 500 and logs the real error
 * (with the request's trace ids); fastify's default would send the error's
 * own message, which can leak internals. 4xx errors keep fastify's handling.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.statusCode !== undefined && error.statusCode < 500) return reply.send(error);
    request.log.error({ err: error }, "request failed");
    return reply.code(500).send({ statusCode: 500, error: "Internal Server Error", message: "internal error" });
  });
}
