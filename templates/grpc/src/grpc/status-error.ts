import * as grpc from "@grpc/grpc-js";
import { DependencyError } from "../platform/dependency.js";
import type { Logger } from "../platform/logger.js";

/** A failure the caller sees as this gRPC status, with `message` as its details. */
export class StatusError extends Error {
  override name = "StatusError";

  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (details: string) => new StatusError(grpc.status.NOT_FOUND, details);
export const invalidArgument = (details: string) => new StatusError(grpc.status.INVALID_ARGUMENT, details);

export interface CallError {
  code: grpc.status;
  details: string;
}

/**
 * The status a failure is answered with. A dependency that is away means
 * UNAVAILABLE (the caller may retry); anything unexpected is INTERNAL with no
 * internals in the details, and the real error is logged.
 */
export function toCallError(error: unknown, logger: Logger): CallError {
  if (error instanceof StatusError) return { code: error.code, details: error.message };
  if (error instanceof DependencyError) {
    logger.warn({ err: error }, "dependency failed");
    return { code: error.unavailable ? grpc.status.UNAVAILABLE : grpc.status.INTERNAL, details: error.message };
  }
  logger.error({ err: error }, "call failed");
  return { code: grpc.status.INTERNAL, details: "internal error" };
}
