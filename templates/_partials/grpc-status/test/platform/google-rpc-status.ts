import type * as grpc from "@grpc/grpc-js";
import protobuf from "protobufjs";

// google.rpc.Status and its two detail types, as in googleapis' google/rpc/{status,error_details}.proto,
// coded by protobufjs: an implementation independent of the hand-written wire format in src/, so the
// tests check it against what any gRPC library sends and reads. One copy for the server's and the
// clients' tests.
// map<string, string> (typed apart: IField does not know keyType).
const stringMap: protobuf.IMapField = { keyType: "string", type: "string", id: 3 };
const root = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: { nested: { Any: { fields: { type_url: { type: "string", id: 1 }, value: { type: "bytes", id: 2 } } } } },
        rpc: {
          nested: {
            Status: { fields: { code: { type: "int32", id: 1 }, message: { type: "string", id: 2 }, details: { rule: "repeated", type: "google.protobuf.Any", id: 3 } } },
            BadRequest: {
              fields: { field_violations: { rule: "repeated", type: "FieldViolation", id: 1 } },
              nested: { FieldViolation: { fields: { field: { type: "string", id: 1 }, description: { type: "string", id: 2 } } } },
            },
            ErrorInfo: { fields: { reason: { type: "string", id: 1 }, domain: { type: "string", id: 2 }, metadata: stringMap } },
          },
        },
      },
    },
  },
});

export interface DecodedStatus {
  code: number;
  message: string;
  details: { typeUrl: string; value: Record<string, unknown> }[];
}

/** The google.rpc.Status in a failed call's `grpc-status-details-bin` trailer, with each Any unpacked. */
export function decodedStatusOf(error: grpc.ServiceError): DecodedStatus | undefined {
  const [bytes] = error.metadata.get("grpc-status-details-bin");
  if (!Buffer.isBuffer(bytes)) return undefined;
  const status = decode("google.rpc.Status", bytes);
  return {
    code: status.code,
    message: status.message,
    details: (status.details as { type_url: string; value: Uint8Array }[]).map(({ type_url, value }) => ({
      typeUrl: type_url,
      value: decode(type_url.slice(type_url.lastIndexOf("/") + 1), value),
    })),
  };
}

/** `value` (protobufjs' field names, e.g. `field_violations`) as the bytes of the google.rpc or google.protobuf message `type`. */
export function encodeRpc(type: string, value: object): Uint8Array {
  const message = root.lookupType(type);
  return message.encode(message.fromObject(value)).finish();
}

function decode(typeName: string, bytes: Uint8Array): Record<string, any> {
  const type = root.lookupType(typeName);
  return type.toObject(type.decode(bytes), { defaults: true });
}
