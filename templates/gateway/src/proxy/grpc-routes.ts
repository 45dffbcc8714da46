import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { BrokenCircuitError, type CircuitState } from "cockatiel";
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler, preHandlerAsyncHookHandler } from "fastify";
import { ConfigError } from "../platform/config.js";
import { DependencyError } from "../platform/dependency.js";
import { GrpcDependencyError, resilientGrpc, type ResilientGrpc } from "../platform/grpc-client.js";
import type { Logger } from "../platform/logger.js";
import { sendProblem } from "../http/problem.js";
import type { BreakerPolicy } from "./proxy-routes.js";

/** The gateway's copies of the gRPC APIs it routes to: proto/<service>.proto (msx writes them). */
export const PROTO_DIR = new URL("../../proto/", import.meta.url);

/** A route to a gRPC service, its methods called with JSON bodies over HTTP. */
export interface GrpcRoute {
  path: string;
  service: string;
  onRequest: onRequestAsyncHookHandler[];
  preHandler: preHandlerAsyncHookHandler[];
}

/** Where a gRPC upstream answers and how it is called. */
export interface GrpcTarget {
  service: string;
  /** host:port, as @grpc/grpc-js dials it. */
  target: string;
  /** The deadline of each call. */
  timeoutMs: number;
  tokenFor?: (audience: string) => Promise<string | undefined>;
}

/** One method of the upstream's API as the gateway serves it: `POST <route>/<Method>`. */
interface ExposedMethod {
  /** `/stock.v1.StockService/GetStock`, what goes on the wire. */
  path: string;
  /** `stock.v1.StockService/GetStock`, as the generated clients name their calls' spans. */
  name: string;
  serverStream: boolean;
  /** The request's fields in JSON (lowerCamelCase, as proto3's JSON mapping names them). */
  fields: Map<string, string>;
  serialize: (message: object) => Buffer;
  deserialize: (bytes: Buffer) => unknown;
}

/** A gRPC route's upstream: its channel, its methods, its breaker; closed at shutdown. */
export interface GrpcUpstream {
  client: grpc.Client;
  timeoutMs: number;
  methods: Map<string, ExposedMethod>;
  calls: ResilientGrpc;
}

// proto3 JSON: 64-bit integers as strings, enums by name, every field present.
const LOADER_OPTIONS: protoLoader.Options = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true };

/**
 * The unary and server-streaming methods of every service in proto/<service>.proto. A
 * missing file or a method name two services share is a config error (thrown at start).
 */
export function loadGrpcApi(service: string, protoDir = PROTO_DIR): Map<string, ExposedMethod> {
  const file = fileURLToPath(new URL(`${service}.proto`, protoDir));
  if (!existsSync(file)) {
    throw new GrpcApiError(`proto/${service}.proto is missing: the gateway calls ${service} through its API; copy it from the ${service} service's proto/ folder`);
  }
  const definition = protoLoader.loadSync(file, LOADER_OPTIONS);
  const methods = new Map<string, ExposedMethod>();
  for (const [name, entry] of Object.entries(definition)) {
    // Message and enum types carry `format`; a service is a record of its methods.
    if ("format" in entry) continue;
    for (const [methodName, method] of Object.entries(entry as grpc.ServiceDefinition)) {
      if (method.requestStream) continue;
      if (methods.has(methodName)) throw new GrpcApiError(`proto/${service}.proto: ${methodName} is a method of two services (${name} and another); the gateway serves one method per name`);
      const requestType = (method as unknown as protoLoader.MethodDefinition<object, object>).requestType;
      methods.set(methodName, {
        path: method.path,
        name: method.path.slice(1),
        serverStream: method.responseStream,
        fields: fieldsOf(requestType),
        serialize: method.requestSerialize as (message: object) => Buffer,
        deserialize: method.responseDeserialize,
      });
    }
  }
  if (methods.size === 0) throw new GrpcApiError(`proto/${service}.proto has no unary or server-streaming method to serve`);
  return methods;
}

/** proto/<service>.proto missing or unusable: a config error (the gateway exits 78 and says which file). */
export class GrpcApiError extends ConfigError {
  override name = "GrpcApiError";
  constructor(problem: string) {
    super(`config error: ${problem}`);
  }
}

type FieldDescriptor = { name: string; jsonName?: string; type: string; label: string };

/** JSON name → descriptor type (TYPE_STRING, TYPE_MESSAGE, ...), `[]` appended for repeated fields. */
function fieldsOf(requestType: protoLoader.MessageTypeDefinition<object, object>): Map<string, string> {
  const fields = (requestType.type as unknown as { field: FieldDescriptor[] }).field;
  return new Map(fields.map((field) => [field.jsonName || field.name, field.label === "LABEL_REPEATED" ? `${field.type}[]` : field.type]));
}

/** Opens the channel to a gRPC route's upstream, behind the same breaker policy as the HTTP routes. */
export function openGrpcUpstream(route: GrpcTarget, policy: BreakerPolicy, logger: Logger, protoDir?: URL): GrpcUpstream {
  const methods = loadGrpcApi(route.service, protoDir);
  // grpc-js waits up to 120 s between reconnects by default; a restarted upstream should be seen in seconds.
  const client = new grpc.Client(route.target, grpc.credentials.createInsecure(), {
    "grpc.initial_reconnect_backoff_ms": 200,
    "grpc.max_reconnect_backoff_ms": 5000,
  });
  // No retries: an HTTP route is not retried either, and the caller's answer must come within the route's timeout.
  const calls = resilientGrpc({
    name: route.service,
    logger,
    timeoutMs: route.timeoutMs,
    maxRetries: 0,
    breakerThreshold: policy.threshold,
    halfOpenAfterMs: policy.halfOpenAfterMs,
    tokenFor: route.tokenFor,
  });
  return { client, timeoutMs: route.timeoutMs, methods, calls };
}

/**
 * `POST <path>/<Method>` with a JSON body calls that method of the upstream through the
 * resilient gRPC client (deadline, breaker, service token, the request's span as parent) and
 * answers its response as JSON; a server stream is answered as a JSON array once it ends. A
 * status other than OK is a problem body with the HTTP status Google's API guidelines map it to.
 */
export function registerGrpcRoute(app: FastifyInstance, route: GrpcRoute, upstream: GrpcUpstream): { readonly state: CircuitState } {
  const config = { gatewayRoute: route.path, upstream: route.service };
  const handler = async (request: FastifyRequest<{ Params: { method: string } }>, reply: FastifyReply) => {
    const method = upstream.methods.get(request.params.method);
    if (!method) {
      return sendProblem(reply, 404, `${route.service} has no method ${request.params.method} (methods: ${[...upstream.methods.keys()].join(", ")})`, { upstream: route.service });
    }
    const body = request.body ?? {};
    const problem = bodyProblem(body, method);
    if (problem) return sendProblem(reply, 400, problem, { upstream: route.service });
    let bytes: Buffer;
    try {
      bytes = method.serialize(body as object);
    } catch (error) {
      return sendProblem(reply, 400, `the body does not fit ${request.params.method}'s request: ${(error as Error).message}`, { upstream: route.service });
    }
    try {
      if (!method.serverStream) {
        const answer = await upstream.calls.call<unknown>(method.name, (metadata, options, callback) =>
          upstream.client.makeUnaryRequest(method.path, same, method.deserialize, bytes, withCaller(metadata, request), options, callback), request.trace);
        return reply.send(answer);
      }
      const messages: unknown[] = [];
      const stream = upstream.calls.stream<unknown>(method.name, (metadata, options) =>
        upstream.client.makeServerStreamRequest(method.path, same, method.deserialize, bytes, withCaller(metadata, request), options), request.trace);
      for await (const message of stream) messages.push(message);
      return reply.send(messages);
    } catch (error) {
      const { status, detail, extensions } = problemOf(route.service, upstream.timeoutMs, error);
      return sendProblem(reply, status, detail, { upstream: route.service, ...extensions });
    }
  };
  app.post(`${route.path}/:method`, { onRequest: route.onRequest, preHandler: route.preHandler, config, handler });
  return { get state() { return upstream.calls.circuitState; } };
}

/** The body is serialized before the call (a body that does not fit is the caller's 400, not a failed call). */
const same = (bytes: Buffer) => bytes;

/**
 * What the upstream is told besides the span and the service token: the request id, and the
 * caller the gateway verified (as the HTTP routes send them in headers).
 */
function withCaller(metadata: grpc.Metadata, request: FastifyRequest): grpc.Metadata {
  metadata.set("x-request-id", request.id);
  if (request.caller) {
    metadata.set("x-auth-subject", request.caller.subject);
    metadata.set("x-auth-scopes", request.caller.scopes.join(" "));
  }
  return metadata;
}

/** A body that is not an object, names a field the request has not, or gives a scalar field the wrong JSON type. */
function bodyProblem(body: unknown, method: ExposedMethod): string | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "the body must be a JSON object (the method's request message)";
  const known = [...method.fields.keys()];
  for (const [name, value] of Object.entries(body)) {
    const type = method.fields.get(name);
    if (type === undefined) return `unknown field "${name}" (fields: ${known.join(", ") || "none"})`;
    const expected = jsonTypeOf(type);
    if (value !== null && expected && !expected.includes(Array.isArray(value) ? "array" : typeof value)) {
      return `field "${name}" must be ${expected.join(" or ")}, not ${Array.isArray(value) ? "an array" : typeof value}`;
    }
  }
  return undefined;
}

/** The JSON types proto3's JSON mapping accepts for a field type (64-bit integers also as strings). */
function jsonTypeOf(type: string): string[] | undefined {
  if (type.endsWith("[]")) return ["array"];
  switch (type) {
    case "TYPE_STRING":
    case "TYPE_BYTES":
      return ["string"];
    case "TYPE_BOOL":
      return ["boolean"];
    case "TYPE_INT64":
    case "TYPE_UINT64":
    case "TYPE_SINT64":
    case "TYPE_FIXED64":
    case "TYPE_SFIXED64":
      return ["number", "string"];
    case "TYPE_INT32":
    case "TYPE_UINT32":
    case "TYPE_SINT32":
    case "TYPE_FIXED32":
    case "TYPE_SFIXED32":
    case "TYPE_DOUBLE":
    case "TYPE_FLOAT":
      return ["number"];
    case "TYPE_ENUM":
      return ["string", "number"];
    case "TYPE_MESSAGE":
      return ["object"];
    default:
      return undefined;
  }
}

/** gRPC status → HTTP status, as Google's API design guide maps them (google.rpc.Code). */
const HTTP_STATUS: Partial<Record<grpc.status, number>> = {
  [grpc.status.CANCELLED]: 499,
  [grpc.status.UNKNOWN]: 500,
  [grpc.status.INVALID_ARGUMENT]: 400,
  [grpc.status.DEADLINE_EXCEEDED]: 504,
  [grpc.status.NOT_FOUND]: 404,
  [grpc.status.ALREADY_EXISTS]: 409,
  [grpc.status.PERMISSION_DENIED]: 403,
  [grpc.status.RESOURCE_EXHAUSTED]: 429,
  [grpc.status.FAILED_PRECONDITION]: 400,
  [grpc.status.ABORTED]: 409,
  [grpc.status.OUT_OF_RANGE]: 400,
  [grpc.status.UNIMPLEMENTED]: 501,
  [grpc.status.INTERNAL]: 500,
  [grpc.status.UNAVAILABLE]: 503,
  [grpc.status.DATA_LOSS]: 500,
  [grpc.status.UNAUTHENTICATED]: 401,
};

/** The problem a failed call answers: its status mapped, its google.rpc details (field violations, ErrorInfo) kept. */
function problemOf(service: string, timeoutMs: number, error: unknown): { status: number; detail: string; extensions: Record<string, unknown> } {
  if (error instanceof GrpcDependencyError) {
    const status = HTTP_STATUS[error.code] ?? 500;
    const message = error.status?.message || (error.cause as grpc.ServiceError | undefined)?.details || grpc.status[error.code];
    // A timeout or an unreachable upstream is said the way the HTTP routes say it.
    const detail =
      error.code === grpc.status.DEADLINE_EXCEEDED ? `${service} did not answer within ${timeoutMs} ms` : error.code === grpc.status.UNAVAILABLE ? `${service} is unreachable: ${message}` : message;
    return { status, detail, extensions: { grpcStatus: grpc.status[error.code], ...(error.status?.details.length ? { details: error.status.details } : {}) } };
  }
  if (error instanceof DependencyError) {
    const open = error.cause instanceof BrokenCircuitError;
    return { status: 503, detail: open ? `${service} is failing: circuit open, not called` : `${service} is unreachable: ${error.message}`, extensions: {} };
  }
  throw error;
}
