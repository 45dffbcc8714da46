import protobuf from "protobufjs";

/**
 * proto3's JSON mapping (protobuf.dev/programming-guides/json) over protobufjs' reflection:
 * a request body checked field by field and turned into what `Type.fromObject` takes, and a
 * decoded response turned into JSON. protobufjs' own conversion is lenient (1.5 becomes 1, "abc"
 * becomes 0, an int64 out of range wraps): a body that does not fit is the caller's 400 here,
 * never a different value at the service. Types loaded with `keepCase: true` (field.name is the
 * .proto's name; the JSON name is its lowerCamelCase, and both are accepted).
 */

/** A body that does not fit the message: `path` names the field (`items[2].name`). */
export class JsonMappingError extends Error {
  override name = "JsonMappingError";
}

const INT32: [bigint, bigint] = [-(2n ** 31n), 2n ** 31n - 1n];
const UINT32: [bigint, bigint] = [0n, 2n ** 32n - 1n];
const INT64: [bigint, bigint] = [-(2n ** 63n), 2n ** 63n - 1n];
const UINT64: [bigint, bigint] = [0n, 2n ** 64n - 1n];
const INTEGER_RANGES: Record<string, [bigint, bigint]> = {
  int32: INT32,
  sint32: INT32,
  sfixed32: INT32,
  uint32: UINT32,
  fixed32: UINT32,
  int64: INT64,
  sint64: INT64,
  sfixed64: INT64,
  uint64: UINT64,
  fixed64: UINT64,
};
const SIXTY_FOUR = new Set(["int64", "sint64", "sfixed64", "uint64", "fixed64"]);
const FLOAT_MAX = 3.4028234663852886e38;
/** A JSON number written as a string: no hex, no spaces, no empty string. */
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const WRAPPERS: Record<string, string> = {
  ".google.protobuf.DoubleValue": "double",
  ".google.protobuf.FloatValue": "float",
  ".google.protobuf.Int64Value": "int64",
  ".google.protobuf.UInt64Value": "uint64",
  ".google.protobuf.Int32Value": "int32",
  ".google.protobuf.UInt32Value": "uint32",
  ".google.protobuf.BoolValue": "bool",
  ".google.protobuf.StringValue": "string",
  ".google.protobuf.BytesValue": "bytes",
};

/** A field's JSON name: its `json_name` option, else protoc's rule (drop each "_", capitalise what follows). */
export function jsonNameOf(field: protobuf.Field): string {
  const custom = field.options?.json_name;
  return typeof custom === "string" ? custom : toJsonName(field.name);
}

function toJsonName(name: string): string {
  let out = "";
  let upper = false;
  for (const c of name) {
    if (c === "_") upper = true;
    else {
      out += upper ? c.toUpperCase() : c;
      upper = false;
    }
  }
  return out;
}

/** `lowerCamel` → `lower_camel`, FieldMask's path rule the other way. */
const toSnake = (path: string) => path.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const describe = (value: unknown): string => (value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "string" ? JSON.stringify(value) : typeof value === "object" ? "an object" : String(value));

function fail(path: string, expected: string, value: unknown): never {
  throw new JsonMappingError(`field "${path}" must be ${expected}, not ${describe(value)}`);
}

/** A request body (a JSON object) as `type.fromObject` takes it; throws a JsonMappingError. */
export function messageFromJson(type: protobuf.Type, json: unknown, path = ""): Record<string, unknown> {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    if (path === "") throw new JsonMappingError("the body must be a JSON object (the method's request message)");
    fail(path, `an object (${type.name})`, json);
  }
  const byName = new Map<string, protobuf.Field>();
  for (const field of type.fieldsArray) {
    byName.set(jsonNameOf(field), field);
    byName.set(field.name, field);
  }
  const out: Record<string, unknown> = {};
  const oneofSet = new Map<string, string>();
  const given = new Map<string, string>();
  for (const [key, value] of Object.entries(json)) {
    const field = byName.get(key);
    const at = path === "" ? key : `${path}.${key}`;
    if (!field) {
      const known = type.fieldsArray.map(jsonNameOf).join(", ") || "none";
      throw new JsonMappingError(`unknown field "${at}" (fields of ${type.name}: ${known})`);
    }
    const twice = given.get(field.name);
    if (twice !== undefined) throw new JsonMappingError(`field "${at}" is given twice (as "${twice}" and "${key}")`);
    given.set(field.name, key);
    // null is the field's default (unset), except for google.protobuf.Value, where it is a null.
    if (value === null && field.resolvedType?.fullName !== ".google.protobuf.Value") continue;
    if (field.partOf && field.partOf.fieldsArray.length > 1) {
      const other = oneofSet.get(field.partOf.name);
      if (other !== undefined) throw new JsonMappingError(`fields "${other}" and "${key}" are one of "${field.partOf.name}": set one`);
      oneofSet.set(field.partOf.name, key);
    }
    out[field.name] = fieldFromJson(field, value, at);
  }
  return out;
}

function fieldFromJson(field: protobuf.Field, value: unknown, path: string): unknown {
  if (field.map) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) fail(path, "an object (a map)", value);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      mapKeyFromJson((field as unknown as protobuf.MapField).keyType, key, `${path}["${key}"]`);
      if (item === null && !isValue(field)) fail(`${path}["${key}"]`, "a value", item);
      out[key] = valueFromJson(field.type, field.resolvedType, item, `${path}["${key}"]`);
    }
    return out;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) fail(path, "an array", value);
    return value.map((item, i) => {
      if (item === null && !isValue(field)) fail(`${path}[${i}]`, "a value", item);
      return valueFromJson(field.type, field.resolvedType, item, `${path}[${i}]`);
    });
  }
  return valueFromJson(field.type, field.resolvedType, value, path);
}

/** google.protobuf.Value: the one message where a JSON null is a value. */
const isValue = (field: protobuf.Field) => field.resolvedType?.fullName === ".google.protobuf.Value";

function mapKeyFromJson(keyType: string, key: string, path: string): void {
  if (keyType === "string") return;
  if (keyType === "bool") {
    if (key !== "true" && key !== "false") fail(path, "a key of true or false", key);
    return;
  }
  integerFromJson(keyType, key, path);
}

function valueFromJson(type: string, resolved: protobuf.ReflectionObject | null, value: unknown, path: string): unknown {
  if (resolved instanceof protobuf.Enum) return enumFromJson(resolved, value, path);
  if (resolved instanceof protobuf.Type) return wellKnownFromJson(resolved, value, path) ?? messageFromJson(resolved, value, path);
  return scalarFromJson(type, value, path);
}

function enumFromJson(type: protobuf.Enum, value: unknown, path: string): unknown {
  if (typeof value === "string" && Object.hasOwn(type.values, value)) return value;
  if (typeof value === "number" && Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31) return value;
  fail(path, `one of ${Object.keys(type.values).join(", ")} (${type.name})`, value);
}

function scalarFromJson(type: string, value: unknown, path: string): unknown {
  switch (type) {
    case "string":
      if (typeof value !== "string") fail(path, "a string", value);
      return value;
    case "bool":
      if (typeof value !== "boolean") fail(path, "true or false", value);
      return value;
    case "bytes":
      // Whole groups of four characters once padded: "A" is no base64.
      if (typeof value !== "string" || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value) || value.replace(/=+$/, "").length % 4 === 1) fail(path, "base64 (bytes)", value);
      return Buffer.from(value, "base64");
    case "double":
    case "float":
      return floatFromJson(type, value, path);
    default:
      return integerFromJson(type, value, path);
  }
}

function floatFromJson(type: string, value: unknown, path: string): number {
  const expected = `a number (${type})`;
  let number: number;
  if (typeof value === "number") number = value;
  else if (value === "NaN" || value === "Infinity" || value === "-Infinity") return Number(value);
  else if (typeof value === "string" && DECIMAL.test(value)) number = Number(value);
  else fail(path, expected, value);
  if (type === "float" && Math.abs(number) > FLOAT_MAX) fail(path, `${expected} within ±${FLOAT_MAX}`, value);
  return number;
}

/** A whole number in the type's range, as a number or a decimal string (64-bit ones stay strings: no precision lost). */
function integerFromJson(type: string, value: unknown, path: string): number | string {
  const range = INTEGER_RANGES[type];
  if (!range) throw new JsonMappingError(`field "${path}" has type ${type}, which the gateway cannot map`);
  const expected = `an ${type} (a whole number from ${range[0]} to ${range[1]}${SIXTY_FOUR.has(type) ? ", as a string or a number" : ""})`;
  let whole: bigint;
  if (typeof value === "number" && Number.isInteger(value)) {
    if (SIXTY_FOUR.has(type) && !Number.isSafeInteger(value)) fail(path, `${expected}; above 2^53 send it as a string`, value);
    whole = BigInt(value);
  } else if (typeof value === "string" && DECIMAL.test(value)) {
    const exact = wholeOf(value);
    if (exact === undefined) fail(path, expected, value);
    whole = exact;
  } else fail(path, expected, value);
  if (whole < range[0] || whole > range[1]) fail(path, expected, value);
  return SIXTY_FOUR.has(type) ? whole.toString() : Number(whole);
}

/**
 * A decimal string ("12", "1.0", "1e18", "-2.5E3") as the whole number it is exactly, without a
 * double in between; undefined when it has a fraction, or more than 21 digits (beyond any 64-bit range).
 */
function wholeOf(text: string): bigint | undefined {
  const [, sign, int, frac = "", exp = "0"] = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text)!;
  let digits = `${int}${frac}`.replace(/^0+/, "");
  if (digits === "") return 0n;
  let scale = Number(exp) - frac.length;
  // Trailing zeros move into the exponent: "1500e-2" is 15.
  while (scale < 0 && digits.endsWith("0")) {
    digits = digits.slice(0, -1);
    scale += 1;
  }
  if (scale < 0 || digits.length + scale > 21) return undefined;
  const magnitude = BigInt(digits) * 10n ** BigInt(scale);
  return sign === "-" ? -magnitude : magnitude;
}

/** The JSON forms of the well-known types; undefined for any other message. */
function wellKnownFromJson(type: protobuf.Type, value: unknown, path: string): Record<string, unknown> | undefined {
  const name = type.fullName;
  if (name in WRAPPERS) return { value: scalarFromJson(WRAPPERS[name], value, path) };
  switch (name) {
    case ".google.protobuf.Timestamp":
      return timestampFromJson(value, path);
    case ".google.protobuf.Duration":
      return durationFromJson(value, path);
    case ".google.protobuf.Struct":
      if (typeof value !== "object" || value === null || Array.isArray(value)) fail(path, "an object (google.protobuf.Struct)", value);
      return { fields: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, structValue(v)])) };
    case ".google.protobuf.ListValue":
      if (!Array.isArray(value)) fail(path, "an array (google.protobuf.ListValue)", value);
      return { values: value.map(structValue) };
    case ".google.protobuf.Value":
      return structValue(value);
    case ".google.protobuf.FieldMask":
      if (typeof value !== "string") fail(path, 'a string of comma-separated paths (google.protobuf.FieldMask), e.g. "name,description"', value);
      return { paths: value === "" ? [] : value.split(",").map(toSnake) };
    case ".google.protobuf.Any":
      return anyFromJson(type, value, path);
    default:
      return undefined;
  }
}

/** Well-known types whose JSON is not an object of their fields: inside an Any they go under "value". */
const SPECIAL_JSON = new Set([...Object.keys(WRAPPERS), ".google.protobuf.Timestamp", ".google.protobuf.Duration", ".google.protobuf.Struct", ".google.protobuf.ListValue", ".google.protobuf.Value", ".google.protobuf.FieldMask", ".google.protobuf.Any"]);

/**
 * googleapis' google/rpc/status.proto and error_details.proto, the error model of
 * https://google.aip.dev/193: a service may put these in an Any of its own messages too.
 */
const GOOGLE_RPC = `
syntax = "proto3";
package google.rpc;
message Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
message ErrorInfo { string reason = 1; string domain = 2; map<string, string> metadata = 3; }
message RetryInfo { google.protobuf.Duration retry_delay = 1; }
message DebugInfo { repeated string stack_entries = 1; string detail = 2; }
message QuotaFailure {
  message Violation { string subject = 1; string description = 2; }
  repeated Violation violations = 1;
}
message PreconditionFailure {
  message Violation { string type = 1; string subject = 2; string description = 3; }
  repeated Violation violations = 1;
}
message BadRequest {
  message FieldViolation { string field = 1; string description = 2; string reason = 3; LocalizedMessage localized_message = 4; }
  repeated FieldViolation field_violations = 1;
}
message RequestInfo { string request_id = 1; string serving_data = 2; }
message ResourceInfo { string resource_type = 1; string resource_name = 2; string owner = 3; string description = 4; }
message Help {
  message Link { string description = 1; string url = 2; }
  repeated Link links = 1;
}
message LocalizedMessage { string locale = 1; string message = 2; }
`;

/**
 * The types every Any knows, whether its API file imports them or not: the well-known types
 * protobufjs bundles, and google.rpc's status and error details.
 */
const WELL_KNOWN = new protobuf.Root().loadSync(
  ["any", "duration", "empty", "field_mask", "struct", "timestamp", "wrappers"].map((file) => `google/protobuf/${file}.proto`),
  { keepCase: true },
);
protobuf.parse(GOOGLE_RPC, WELL_KNOWN, { keepCase: true });
WELL_KNOWN.resolveAll();

/** The other API files an Any's type may be in, for each API file's root (set by alsoLookIn). */
const elsewhere = new WeakMap<protobuf.Root, readonly protobuf.Root[]>();

/**
 * Lets an Any in `root`'s messages name a type of `others` too (the gateway's other proto/
 * files): a service's Any may carry another's message.
 */
export function alsoLookIn(root: protobuf.Root, others: readonly protobuf.Root[]): void {
  elsewhere.set(root, others);
}

const typeIn = (root: protobuf.Root, name: string): protobuf.Type | undefined => {
  const found = root.lookup(name, [protobuf.Type]);
  return found instanceof protobuf.Type ? found : undefined;
};

/**
 * The message type an Any's type URL names (what follows its last "/"): from its own API file
 * and what it imports, else the well-known types, else the gateway's other API files. Two of
 * those that define it differently are an error, not a guess.
 */
function typeOfAny(any: protobuf.Type, url: string): protobuf.Type | undefined {
  const slash = url.lastIndexOf("/");
  if (slash < 0) return undefined;
  const name = `.${url.slice(slash + 1)}`;
  const own = typeIn(any.root, name) ?? typeIn(WELL_KNOWN, name);
  if (own) return own;
  // By file: a file two others import is one definition, not two.
  const byFile = new Map<string | null, protobuf.Type>();
  for (const root of elsewhere.get(any.root) ?? []) {
    const type = typeIn(root, name);
    if (type && !byFile.has(type.filename)) byFile.set(type.filename, type);
  }
  const found = [...byFile.entries()].sort(([a], [b]) => String(a).localeCompare(String(b))).map(([, type]) => type);
  if (found.length > 1) {
    const shape = JSON.stringify(found[0].toJSON());
    if (found.some((type) => JSON.stringify(type.toJSON()) !== shape)) {
      const files = found.map((type) => type.filename?.replace(/^.*[\\/]/, "proto/") ?? "?").join(" and ");
      throw new JsonMappingError(`a google.protobuf.Any of ${JSON.stringify(url)}, a type ${files} define differently`);
    }
  }
  return found[0];
}

/**
 * `{"@type": "type.googleapis.com/pkg.Message", ...its fields}`, or `{"@type": ..., "value": ...}`
 * for a well-known type with a JSON form of its own; the type must be in the gateway's proto/.
 */
function anyFromJson(any: protobuf.Type, value: unknown, path: string): Record<string, unknown> {
  const expected = 'an object with "@type" (google.protobuf.Any), e.g. {"@type": "type.googleapis.com/pkg.v1.Message", ...}';
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(path, expected, value);
  const { "@type": url, ...rest } = value as Record<string, unknown>;
  const [typeUrlField, valueField] = [any.fieldsById[1].name, any.fieldsById[2].name];
  if (url === undefined && Object.keys(rest).length === 0) return {};
  if (typeof url !== "string") fail(path, expected, value);
  const at = path === "" ? "@type" : `${path}.@type`;
  const type = typeOfAny(any, url);
  if (!type) throw new JsonMappingError(`field "${at}" names ${JSON.stringify(url)}, a type the gateway's proto/ files do not define (a type URL ends in the message's full name, e.g. "type.googleapis.com/pkg.v1.Message")`);
  let message: Record<string, unknown>;
  if (SPECIAL_JSON.has(type.fullName)) {
    const extra = Object.keys(rest).filter((key) => key !== "value");
    if (extra.length > 0 || !("value" in rest)) throw new JsonMappingError(`field "${path || "(body)"}" is a google.protobuf.Any of ${type.fullName.slice(1)}: give its JSON as "value" and nothing else besides "@type"`);
    message = valueFromJson("", type, rest.value, path === "" ? "value" : `${path}.value`) as Record<string, unknown>;
  } else {
    message = messageFromJson(type, rest, path);
  }
  return { [typeUrlField]: url, [valueField]: type.encode(type.fromObject(message)).finish() };
}

/**
 * Any JSON value as a google.protobuf.Value (protobufjs' object form; its bundled well-known
 * types name their fields in lowerCamelCase, whatever the loader's keepCase).
 */
function structValue(value: unknown): Record<string, unknown> {
  if (value === null) return { nullValue: "NULL_VALUE" };
  if (typeof value === "number") return { numberValue: value };
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(structValue) } };
  return { structValue: { fields: Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, structValue(v)])) } };
}

const TIMESTAMP = /^((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2}))(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i;
/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z in seconds: google.protobuf.Timestamp's range. */
const TIMESTAMP_RANGE = [-62_135_596_800, 253_402_300_799];
/** ±10,000 years in seconds: google.protobuf.Duration's range. */
const DURATION_MAX = 315_576_000_000n;

function timestampFromJson(value: unknown, path: string): Record<string, unknown> {
  const expected = 'an RFC 3339 time (google.protobuf.Timestamp), e.g. "2026-12-03T10:00:00Z"';
  const match = typeof value === "string" ? TIMESTAMP.exec(value) : null;
  if (!match) fail(path, expected, value);
  const [, local, year, month, day, hour, minute, second, fraction, zone] = match;
  // Date.parse rolls a 30 February over into March: the fields must come back as they were written.
  const asUtc = new Date(`${local}Z`);
  const same = !Number.isNaN(asUtc.getTime()) && asUtc.getUTCFullYear() === Number(year) && asUtc.getUTCMonth() + 1 === Number(month) && asUtc.getUTCDate() === Number(day) && asUtc.getUTCHours() === Number(hour) && asUtc.getUTCMinutes() === Number(minute) && asUtc.getUTCSeconds() === Number(second);
  const ms = Date.parse(`${local}${zone.toUpperCase()}`);
  if (!same || Number.isNaN(ms)) fail(path, expected, value);
  const seconds = Math.floor(ms / 1000);
  if (seconds < TIMESTAMP_RANGE[0] || seconds > TIMESTAMP_RANGE[1]) fail(path, `${expected} from year 1 to 9999`, value);
  return { seconds: String(seconds), nanos: Number((fraction ?? "").padEnd(9, "0")) };
}

function durationFromJson(value: unknown, path: string): Record<string, unknown> {
  const match = typeof value === "string" ? /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(value) : null;
  if (!match) fail(path, 'a duration in seconds (google.protobuf.Duration), e.g. "1.5s"', value);
  const sign = match[1] ? -1 : 1;
  if (BigInt(match[2]) > DURATION_MAX) fail(path, `a duration within ±${DURATION_MAX}s (google.protobuf.Duration)`, value);
  const seconds = BigInt(match[2]) * BigInt(sign);
  return { seconds: seconds.toString(), nanos: sign * Number((match[3] ?? "").padEnd(9, "0")) };
}

/** A decoded message as proto3 JSON: lowerCamelCase names, 64-bit integers as strings, enums by name, bytes as base64. */
export function messageToJson(type: protobuf.Type, message: protobuf.Message | Record<string, unknown>): unknown {
  const known = wellKnownToJson(type, message as Record<string, unknown>);
  if (known !== undefined) return known;
  const out: Record<string, unknown> = {};
  const record = message as Record<string, unknown>;
  for (const field of type.fieldsArray) {
    // A field of a oneof (or a proto3 `optional` one) is there only when it was set.
    if (field.partOf && !Object.prototype.hasOwnProperty.call(record, field.name)) continue;
    const value = record[field.name];
    if (field.map) {
      const keyType = (field as unknown as protobuf.MapField).keyType;
      // protobufjs keys a map of 64-bit integers by the key's 8-byte hash: back to its decimal.
      const keyOf = SIXTY_FOUR.has(keyType) ? (k: string) => protobuf.util.LongBits.fromHash(k).toLong(keyType.startsWith("u") || keyType === "fixed64").toString() : (k: string) => k;
      out[jsonNameOf(field)] = Object.fromEntries(Object.entries((value ?? {}) as object).map(([k, v]) => [keyOf(k), valueToJson(field, v)]));
    } else if (field.repeated) {
      out[jsonNameOf(field)] = ((value ?? []) as unknown[]).map((v) => valueToJson(field, v));
    } else if (field.resolvedType instanceof protobuf.Type) {
      // An unset message field is left out (proto3 JSON), not given as null.
      if (value !== null && value !== undefined) out[jsonNameOf(field)] = valueToJson(field, value);
    } else {
      out[jsonNameOf(field)] = valueToJson(field, value);
    }
  }
  return out;
}

function valueToJson(field: protobuf.Field, value: unknown): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) return resolved.fullName === ".google.protobuf.NullValue" ? null : (resolved.valuesById[value as number] ?? value);
  if (resolved instanceof protobuf.Type) return messageToJson(resolved, value as Record<string, unknown>);
  return scalarToJson(field.type, value);
}

function scalarToJson(type: string, value: unknown): unknown {
  if (SIXTY_FOUR.has(type)) return String(value ?? "0");
  if (type === "bytes") return Buffer.from((value ?? new Uint8Array()) as Uint8Array).toString("base64");
  if ((type === "double" || type === "float") && typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (type === "float" && typeof value === "number") return shortestFloat32(value);
  return value;
}

/**
 * A float field's value as the shortest decimal that is the same float32 (0.1f decodes as the
 * double 0.10000000149011612; its JSON is 0.1), as protoc's printer writes it.
 */
function shortestFloat32(value: number): number {
  if (Number.isInteger(value) && Math.abs(value) <= 2 ** 24) return value;
  // 9 significant digits always give the float back, and more digits never lose it once fewer
  // have: the fewest is found by bisection (3–4 tries, not up to 9; a large answer has many floats).
  let low = 1;
  let high = 9;
  while (low < high) {
    const digits = (low + high) >> 1;
    if (Math.fround(Number(value.toPrecision(digits))) === value) high = digits;
    else low = digits + 1;
  }
  return Number(value.toPrecision(low));
}

function wellKnownToJson(type: protobuf.Type, message: Record<string, unknown>): unknown {
  const name = type.fullName;
  if (name in WRAPPERS) return scalarToJson(WRAPPERS[name], message.value ?? type.fields.value.defaultValue);
  switch (name) {
    case ".google.protobuf.Timestamp": {
      const seconds = Number(String(message.seconds ?? 0));
      const nanos = Number(message.nanos ?? 0);
      // Outside years 1–9999 or with nanos outside 0–999,999,999 it is not a Timestamp (RFC 3339 has no such time).
      if (!(seconds >= TIMESTAMP_RANGE[0] && seconds <= TIMESTAMP_RANGE[1]) || !(nanos >= 0 && nanos <= 999_999_999)) {
        throw new JsonMappingError(`a google.protobuf.Timestamp of ${String(message.seconds ?? 0)} s and ${nanos} ns is outside years 1 to 9999`);
      }
      const base = new Date(seconds * 1000).toISOString().slice(0, 19);
      const fraction = nanos === 0 ? "" : `.${nineDigits(nanos)}`;
      return `${base}${fraction}Z`;
    }
    case ".google.protobuf.Duration": {
      const seconds = BigInt(String(message.seconds ?? 0));
      const nanos = Number(message.nanos ?? 0);
      const mixed = (seconds < 0n && nanos > 0) || (seconds > 0n && nanos < 0);
      if (seconds > DURATION_MAX || seconds < -DURATION_MAX || !(Math.abs(nanos) <= 999_999_999) || mixed) {
        throw new JsonMappingError(`a google.protobuf.Duration of ${seconds} s and ${nanos} ns is not one (within ±${DURATION_MAX} s, nanos of the same sign)`);
      }
      const negative = seconds < 0n || nanos < 0;
      const whole = (seconds < 0n ? -seconds : seconds).toString();
      const fraction = nanos === 0 ? "" : `.${nineDigits(Math.abs(nanos))}`;
      return `${negative ? "-" : ""}${whole}${fraction}s`;
    }
    case ".google.protobuf.Struct":
      return structToJson(message);
    case ".google.protobuf.ListValue":
      return ((message.values ?? []) as Record<string, unknown>[]).map(structValueToJson);
    case ".google.protobuf.Value":
      return structValueToJson(message);
    case ".google.protobuf.FieldMask":
      return ((message.paths ?? []) as string[]).map(toJsonName).join(",");
    case ".google.protobuf.Any":
      return anyToJson(type, message);
    default:
      return undefined;
  }
}

function anyToJson(any: protobuf.Type, message: Record<string, unknown>): unknown {
  const url = String(message[any.fieldsById[1].name] ?? "");
  const bytes = (message[any.fieldsById[2].name] ?? new Uint8Array()) as Uint8Array;
  if (url === "" && bytes.length === 0) return {};
  const type = typeOfAny(any, url);
  if (!type) throw new JsonMappingError(`a google.protobuf.Any of ${JSON.stringify(url)}, a type the gateway's proto/ files do not define`);
  let inner: protobuf.Message;
  try {
    inner = type.decode(bytes);
  } catch (error) {
    throw new JsonMappingError(`a google.protobuf.Any of ${JSON.stringify(url)} whose value is not one: ${(error as Error).message}`);
  }
  const json = messageToJson(type, inner);
  return SPECIAL_JSON.has(type.fullName) ? { "@type": url, value: json } : { "@type": url, ...(json as Record<string, unknown>) };
}

/** Nanoseconds as 3, 6 or 9 digits, as proto3 JSON writes Timestamp and Duration fractions. */
const nineDigits = (nanos: number) => String(nanos).padStart(9, "0").replace(/(\d{3})(?:000)+$|(\d{6})000$/, "$1$2");

function structValueToJson(value: Record<string, unknown>): unknown {
  const has = (key: string) => Object.prototype.hasOwnProperty.call(value, key);
  if (has("numberValue")) {
    // JSON has no NaN or Infinity, and google.protobuf.Value may not hold them (its JSON form says so).
    if (!Number.isFinite(value.numberValue)) throw new JsonMappingError(`a google.protobuf.Value of ${value.numberValue} is not a JSON number`);
    return value.numberValue;
  }
  if (has("stringValue")) return value.stringValue;
  if (has("boolValue")) return value.boolValue;
  if (has("structValue")) return structToJson(value.structValue as Record<string, unknown>);
  if (has("listValue")) return ((value.listValue as { values?: Record<string, unknown>[] }).values ?? []).map(structValueToJson);
  return null;
}

const structToJson = (struct: Record<string, unknown>) =>
  Object.fromEntries(Object.entries((struct.fields ?? {}) as Record<string, Record<string, unknown>>).map(([k, v]) => [k, structValueToJson(v)]));
