import type * as grpc from "@grpc/grpc-js";
import { STATUS_DETAILS_KEY, type ErrorDetail, type ErrorInfo, type StatusDetails, type UnknownDetail } from "./google-rpc-details.js";

/** The decoded `grpc-status-details-bin` trailer of a failed call, or undefined when there is none (or it is not a Status). */
export function statusDetailsOf(error: grpc.ServiceError): StatusDetails | undefined {
  const [bytes] = error.metadata?.get(STATUS_DETAILS_KEY) ?? [];
  if (!Buffer.isBuffer(bytes)) return undefined;
  try {
    return decodeStatus(bytes);
  } catch {
    return undefined;
  }
}

// Protobuf wire format by hand: three small messages do not justify a protobuf runtime in every service.
type Field = { number: number; varint?: number; bytes?: Buffer };

function decodeStatus(bytes: Buffer): StatusDetails {
  const status: StatusDetails = { code: 0, message: "", details: [] };
  for (const field of fields(bytes)) {
    if (field.number === 1) status.code = field.varint ?? 0;
    else if (field.number === 2) status.message = text(field);
    else if (field.number === 3 && field.bytes) status.details.push(decodeAny(field.bytes));
  }
  return status;
}

function decodeAny(bytes: Buffer): ErrorDetail | UnknownDetail {
  let typeUrl = "";
  let value: Buffer = Buffer.alloc(0);
  for (const field of fields(bytes)) {
    if (field.number === 1) typeUrl = text(field);
    else if (field.number === 2 && field.bytes) value = field.bytes;
  }
  switch (typeUrl.slice(typeUrl.lastIndexOf("/") + 1)) {
    case "google.rpc.BadRequest":
      return { type: "BadRequest", fieldViolations: fields(value).filter((f) => f.number === 1).map((f) => pairOf(f, "field", "description")) };
    case "google.rpc.ErrorInfo":
      return decodeErrorInfo(value);
    default:
      return { type: "Unknown", typeUrl };
  }
}

function decodeErrorInfo(bytes: Buffer): ErrorInfo {
  const info: ErrorInfo = { type: "ErrorInfo", reason: "", domain: "", metadata: {} };
  for (const field of fields(bytes)) {
    if (field.number === 1) info.reason = text(field);
    else if (field.number === 2) info.domain = text(field);
    else if (field.number === 3) {
      const { key, value } = pairOf(field, "key", "value");
      info.metadata[key] = value;
    }
  }
  return info;
}

/** A message of two string fields (1 and 2), named. */
function pairOf<A extends string, B extends string>(field: Field, first: A, second: B): Record<A | B, string> {
  const pair = { [first]: "", [second]: "" } as Record<A | B, string>;
  for (const inner of fields(field.bytes ?? Buffer.alloc(0))) {
    if (inner.number === 1) pair[first] = text(inner);
    else if (inner.number === 2) pair[second] = text(inner);
  }
  return pair;
}

const text = (field: Field) => field.bytes?.toString("utf8") ?? "";

/** Splits a message into its fields; throws on truncated or unknown wire types. */
function fields(bytes: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  const readVarint = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= bytes.length || shift > 63) throw new Error("bad varint");
      const byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < bytes.length) {
    const tag = readVarint();
    const number = Math.floor(tag / 8);
    switch (tag & 7) {
      case 0:
        out.push({ number, varint: readVarint() });
        break;
      case 2: {
        const length = readVarint();
        if (at + length > bytes.length) throw new Error("truncated field");
        out.push({ number, bytes: bytes.subarray(at, (at += length)) });
        break;
      }
      case 1:
        at += 8;
        break;
      case 5:
        at += 4;
        break;
      default:
        throw new Error(`unsupported wire type ${tag & 7}`);
    }
  }
  return out;
}
