// google.rpc.Status and the error details of https://google.aip.dev/193, as googleapis'
// google/rpc/{status,error_details}.proto define them: one shape for what a gRPC service
// sends (src/grpc/status-details.ts) and what a gRPC client decodes (grpc-status-details.ts).

/** google.rpc.BadRequest.FieldViolation: which field of the request is wrong, and why. */
export interface FieldViolation {
  field: string;
  description: string;
}

/** google.rpc.BadRequest: each bad field of the request. */
export interface BadRequest {
  type: "BadRequest";
  fieldViolations: FieldViolation[];
}

/** google.rpc.ErrorInfo: the reason as a constant a caller can branch on, the domain that said it, and context. */
export interface ErrorInfo {
  type: "ErrorInfo";
  reason: string;
  domain: string;
  metadata: Record<string, string>;
}

/** The detail types a service sends and a client decodes. */
export type ErrorDetail = BadRequest | ErrorInfo;

/** A detail a received status holds that is not decoded here: only its type URL is kept. */
export interface UnknownDetail {
  type: "Unknown";
  typeUrl: string;
}

/** google.rpc.Status, as carried in the `grpc-status-details-bin` trailer. */
export interface StatusDetails {
  code: number;
  message: string;
  details: Array<ErrorDetail | UnknownDetail>;
}

/** The trailer gRPC libraries read rich error details from. */
export const STATUS_DETAILS_KEY = "grpc-status-details-bin";

/** What a detail's google.protobuf.Any type URL starts with; the message name follows. */
export const TYPE_URL_PREFIX = "type.googleapis.com/google.rpc.";
