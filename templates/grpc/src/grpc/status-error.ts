import * as grpc from "@grpc/grpc-js";
import { DependencyError } from "../platform/dependency.js";
import type { Logger } from "../platform/logger.js";
import type { ErrorDetail, FieldViolation } from "../platform/google-rpc-details.js";
import { statusDetailsMetadata } from "./status-details.js";

/** A failure the caller sees as this gRPC status, with `message` as its details and `details` in the status trailer. */
export class StatusError extends Error {
  override name = "StatusError";

  constructor(
    readonly code: grpc.status,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
  ) {
    super(message);
  }
}

/** NOT_FOUND with an ErrorInfo: `reason` (e.g. STOCK_NOT_FOUND) and what was looked for, in `metadata`. */
export const notFound = (message: string, info: { reason: string; domain: string; metadata?: Record<string, string> }) =>
  new StatusError(grpc.status.NOT_FOUND, message, [{ type: "ErrorInfo", ...info, metadata: info.metadata ?? {} }]);

/** INVALID_ARGUMENT with a BadRequest naming each bad field; the message says the same in one line. */
export const invalidArgument = (fieldViolations: FieldViolation[]) =>
  new StatusError(
    grpc.status.INVALID_ARGUMENT,
    fieldViolations.map((v) => `${v.field}: ${v.description}`).join("; "),
    [{ type: "BadRequest", fieldViolations }],
  );

export interface CallError {
  code: grpc.status;
  details: string;
  /** google.rpc.Status in `grpc-status-details-bin`, when there is more to say than the message. */
  metadata?: grpc.Metadata;
}

/**
 * The status a failure is answered with. A dependency that is away means
 * UNAVAILABLE (the caller may retry); anything unexpected is INTERNAL with no
 * internals in the details, and the real error is logged. `domain` names
 * this service in ErrorInfo details.
 */
export function toCallError(error: unknown, logger: Logger, domain: string): CallError {
  if (error instanceof StatusError) return withDetails(error.code, error.message, error.details);
  if (error instanceof DependencyError) {
    logger.warn({ err: error }, "dependency failed");
    const code = error.unavailable ? grpc.status.UNAVAILABLE : grpc.status.INTERNAL;
    const reason = error.unavailable ? "DEPENDENCY_UNAVAILABLE" : "DEPENDENCY_FAILED";
    return withDetails(code, error.message, [{ type: "ErrorInfo", reason, domain, metadata: {} }]);
  }
  logger.error({ err: error }, "call failed");
  return { code: grpc.status.INTERNAL, details: "internal error" };
}

function withDetails(code: grpc.status, message: string, details: readonly ErrorDetail[]): CallError {
  if (details.length === 0) return { code, details: message };
  return { code, details: message, metadata: statusDetailsMetadata(code, message, details) };
}
