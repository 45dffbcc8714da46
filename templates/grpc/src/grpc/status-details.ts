import * as grpc from "@grpc/grpc-js";
import { STATUS_DETAILS_KEY, TYPE_URL_PREFIX, type ErrorDetail } from "../platform/google-rpc-details.js";

/** Trailing metadata carrying google.rpc.Status { code, message, details } for a failed call. */
export function statusDetailsMetadata(code: grpc.status, message: string, details: readonly ErrorDetail[]): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set(STATUS_DETAILS_KEY, encodeStatus(code, message, details));
  return metadata;
}

// Protobuf wire format by hand: three small messages do not justify a protobuf runtime in every service.
function encodeStatus(code: grpc.status, message: string, details: readonly ErrorDetail[]): Buffer {
  const anys = details.map((detail) => bytesField(3, concat([stringField(1, TYPE_URL_PREFIX + detail.type), bytesField(2, encodeDetail(detail))])));
  return concat([varintField(1, code), stringField(2, message), ...anys]);
}

function encodeDetail(detail: ErrorDetail): Buffer {
  switch (detail.type) {
    case "BadRequest":
      return concat(detail.fieldViolations.map((v) => bytesField(1, concat([stringField(1, v.field), stringField(2, v.description)]))));
    case "ErrorInfo": {
      const entries = Object.entries(detail.metadata).map(([key, value]) => bytesField(3, concat([stringField(1, key), stringField(2, value)])));
      return concat([stringField(1, detail.reason), stringField(2, detail.domain), ...entries]);
    }
  }
}

const concat = (parts: Buffer[]) => Buffer.concat(parts);

function varint(value: number): number[] {
  const bytes: number[] = [];
  for (; value > 0x7f; value >>>= 7) bytes.push((value & 0x7f) | 0x80);
  bytes.push(value);
  return bytes;
}

// proto3 leaves out fields holding their default (0, ""), so an empty field costs nothing.
const varintField = (field: number, value: number) => (value === 0 ? Buffer.alloc(0) : Buffer.from([...varint(field << 3), ...varint(value)]));
const bytesField = (field: number, value: Buffer) => concat([Buffer.from([...varint((field << 3) | 2), ...varint(value.length)]), value]);
const stringField = (field: number, value: string) => (value === "" ? Buffer.alloc(0) : bytesField(field, Buffer.from(value, "utf8")));
