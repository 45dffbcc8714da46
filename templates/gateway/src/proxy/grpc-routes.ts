import { existsSync, readdirSync } from "node:fs";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import protobuf from "protobufjs";
import { BrokenCircuitError, CircuitState } from "cockatiel";
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler, preHandlerAsyncHookHandler } from "fastify";
import { ConfigError } from "../platform/config.js";
import { DependencyError } from "../platform/dependency.js";
import { GrpcDependencyError, resilientGrpc, type ResilientGrpc } from "../platform/grpc-client.js";
import type { Logger } from "../platform/logger.js";
import { failHop } from "../platform/trace-context.js";
import { problemBody, sendProblem } from "../http/problem.js";
import { callerFields } from "../http/auth-hook.js";
import { whenConnectionCloses } from "../http/connection-close.js";
import { LineTooLongError, NDJSON, acceptsNdjson, drainedOrDone, linesOf, sendLines, type BodyLines } from "./grpc-ndjson.js";
import { JsonMappingError, alsoLookIn, messageFromJson, messageToJson } from "./proto-json.js";
import type { BreakerPolicy } from "./proxy-routes.js";

/** The gateway's copies of the gRPC APIs it routes to: proto/<service>.proto (msx writes them). */
export const PROTO_DIR = new URL("../../proto/", import.meta.url);

/** A route to a gRPC service, its methods called with JSON bodies over HTTP. */
export interface GrpcRoute {
  path: string;
  service: string;
  /** The deadline of each call on this route. */
  timeoutMs: number;
  onRequest: onRequestAsyncHookHandler[];
  preHandler: preHandlerAsyncHookHandler[];
  tokenFor?: (audience: string) => Promise<string | undefined>;
}

/** One method of the upstream's API as the gateway serves it: `POST <route>/<Method>`. */
interface ExposedMethod {
  /** `/stock.v1.StockService/GetStock`, what goes on the wire. */
  path: string;
  /** `stock.v1.StockService/GetStock`, as the generated clients name their calls' spans. */
  name: string;
  serverStream: boolean;
  /** A client-streaming (or bidirectional) method: its body is a JSON array, the request messages in order. */
  clientStream: boolean;
  requestType: protobuf.Type;
  responseType: protobuf.Type;
}

/** A gRPC route's upstream: its channel and its API's methods, shared by the routes to it; closed with the app. */
export interface GrpcUpstream {
  client: grpc.Client;
  methods: Map<string, ExposedMethod>;
}

/** Told of a file in proto/ that is no route's API and does not read: `file` is its name there. */
export type UnreadableApi = (file: string, problem: string) => void;

/**
 * The methods of every service in proto/<service>.proto, read with protobufjs. A missing or
 * unreadable file, or a method name two services share, is a config error (thrown at start).
 * The other files in proto/ are read for an Any's type; one that does not read is told to
 * `unreadable` and left out.
 */
export function loadGrpcApi(service: string, protoDir = PROTO_DIR, unreadable: UnreadableApi = () => {}): Map<string, ExposedMethod> {
  const file = fileURLToPath(new URL(`${service}.proto`, protoDir));
  if (!existsSync(file)) {
    throw new GrpcApiError(`proto/${service}.proto is missing: the gateway calls ${service} through its API; copy it from the ${service} service's proto/ folder`);
  }
  const root = new protobuf.Root();
  try {
    // keepCase: the .proto's own field names; proto-json.ts gives their JSON names.
    root.loadSync(file, { keepCase: true });
    root.resolveAll();
  } catch (error) {
    throw new GrpcApiError(`proto/${service}.proto cannot be read: ${(error as Error).message.replace(file, `proto/${service}.proto`)}`);
  }
  alsoLookIn(root, otherApis(protoDir, `${service}.proto`, unreadable));
  const methods = new Map<string, ExposedMethod>();
  const owner = new Map<string, string>();
  for (const api of servicesIn(root)) {
    const apiName = api.fullName.slice(1);
    for (const method of api.methodsArray) {
      const other = owner.get(method.name);
      if (other) throw new GrpcApiError(`proto/${service}.proto: ${method.name} is a method of both ${other} and ${apiName}; the gateway serves one method per name`);
      owner.set(method.name, apiName);
      methods.set(method.name, {
        path: `/${apiName}/${method.name}`,
        name: `${apiName}/${method.name}`,
        serverStream: Boolean(method.responseStream),
        clientStream: Boolean(method.requestStream),
        requestType: method.resolvedRequestType!,
        responseType: method.resolvedResponseType!,
      });
    }
  }
  if (methods.size === 0) throw new GrpcApiError(`proto/${service}.proto has no service with a method to serve`);
  return methods;
}

/**
 * The gateway's other API files in proto/, each read on its own (two services' files may both
 * define a type), for an Any of a type from another service. One that does not read is left
 * out and told to `unreadable`: it is no route's API here, or its own route stops the gateway at start.
 */
function otherApis(protoDir: URL, own: string, unreadable: UnreadableApi): protobuf.Root[] {
  const dir = fileURLToPath(protoDir);
  return readdirSync(dir)
    .filter((name) => name.endsWith(".proto") && name !== own)
    .sort()
    .flatMap((name) => {
      const file = fileURLToPath(new URL(name, protoDir));
      try {
        const root = new protobuf.Root();
        root.loadSync(file, { keepCase: true });
        root.resolveAll();
        return [root];
      } catch (error) {
        unreadable(name, (error as Error).message.replace(file, `proto/${name}`));
        return [];
      }
    });
}

function servicesIn(namespace: protobuf.NamespaceBase): protobuf.Service[] {
  return namespace.nestedArray.flatMap((nested) => (nested instanceof protobuf.Service ? [nested] : nested instanceof protobuf.Namespace ? servicesIn(nested) : []));
}

/** proto/<service>.proto missing or unusable: a config error (the gateway exits 78 and says which file). */
export class GrpcApiError extends ConfigError {
  override name = "GrpcApiError";
  constructor(problem: string) {
    super(`config error: ${problem}`);
  }
}

/** Opens the channel to a gRPC service the gateway routes to, and reads its API. */
export function openGrpcUpstream(service: string, target: string, protoDir?: URL, unreadable?: UnreadableApi): GrpcUpstream {
  const methods = loadGrpcApi(service, protoDir, unreadable);
  // grpc-js waits up to 120 s between reconnects by default; a restarted upstream should be seen in seconds.
  const client = new grpc.Client(target, grpc.credentials.createInsecure(), {
    "grpc.initial_reconnect_backoff_ms": 200,
    "grpc.max_reconnect_backoff_ms": 5000,
  });
  return { client, methods };
}

const served = (upstream: GrpcUpstream) => [...upstream.methods.keys()].join(", ");

/**
 * `POST <path>/<Method>` with a JSON body calls that method of the upstream through a resilient
 * gRPC client of the route's own (its timeout as deadline, its circuit breaker, the service
 * token, the request's span as parent) and answers its response as proto3 JSON; a server
 * stream is answered as a JSON array once it ends. A client-streaming or bidirectional method
 * takes a JSON array, its request messages in order, sent and then half-closed (so a
 * bidirectional one answers the array its server sends back until it ends). A body that does
 * not fit the request is a 400 without a call; a status other than OK is a problem body with the HTTP status Google's
 * API guidelines map it to. Other HTTP methods on a method's URL: 405.
 *
 * Message by message (grpc-ndjson.ts): a request stream sent as `application/x-ndjson` goes to
 * the upstream a line at a time as it arrives, and a server stream asked for with `Accept:
 * application/x-ndjson` is answered a line at a time as the upstream sends it, unbounded. The
 * status goes with the first line, so a failure before it is still a problem body; one after it
 * is the answer's last line, `{"error": <problem>}`.
 */
export async function registerGrpcRoute(app: FastifyInstance, route: GrpcRoute, upstream: GrpcUpstream, policy: BreakerPolicy, logger: Logger): Promise<{ readonly state: CircuitState }> {
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
  const config = { gatewayRoute: route.path, upstream: route.service };
  const problem = (reply: FastifyReply, status: number, detail: string, extensions: Record<string, unknown> = {}) => sendProblem(reply, status, detail, { upstream: route.service, ...extensions });
  const handler = async (request: FastifyRequest<{ Params: { method?: string } }>, reply: FastifyReply) => {
    const name = request.params.method ?? "";
    const method = upstream.methods.get(name);
    if (name === "") return problem(reply, 404, `name a method: POST ${route.path}/<Method> (methods: ${served(upstream)})`);
    if (!method) return problem(reply, 404, `${route.service} has no method ${name} (methods: ${served(upstream)})`);
    const lines = isBodyLines(request.body) ? request.body : undefined;
    try {
      return await answer(request, reply, name, method, lines);
    } finally {
      lines?.release();
    }
  };
  const answer = async (request: FastifyRequest, reply: FastifyReply, name: string, method: ExposedMethod, lines: BodyLines | undefined) => {
    if (lines && !method.clientStream) {
      return problem(reply, 415, `${name} takes one ${method.requestType.name}: send it as application/json (${NDJSON} is for a client-streaming or bidirectional method's messages)`);
    }
    const encode = encoder(method);
    let bytes: Buffer[] = [];
    try {
      if (!lines) bytes = requestMessages(name, method, request.body, encode);
    } catch (error) {
      if (error instanceof JsonMappingError) return problem(reply, 400, error.message);
      return problem(reply, 400, `the body does not fit ${name}'s request: ${(error as Error).message}`);
    }
    // A streamed body's first failure (a line that does not fit, the caller gone), which cancelled the call.
    let failure: Error | undefined;
    const send = <Call extends grpc.ClientWritableStream<Buffer> | grpc.ClientDuplexStream<Buffer, protobuf.Message>>(call: Call): Call => {
      if (lines) void sendLines(call, lines, encode, (error) => (failure ??= error));
      else sendAll(call, bytes);
      return call;
    };
    // Decoded in grpc-js, mapped to JSON here: an answer JSON cannot say is the upstream's fault (502), said as such.
    const decode = (answer: Buffer) => method.responseType.decode(answer);
    const toJson = (message: protobuf.Message) => messageToJson(method.responseType, message);
    try {
      if (!method.serverStream) {
        // A client stream answers once, as a unary call does: one deadline, counted by the breaker.
        const answer = await calls.call<protobuf.Message>(method.name, (metadata, options, callback) => {
          if (!method.clientStream) return upstream.client.makeUnaryRequest(method.path, same, decode, bytes[0], withCaller(metadata, request), options, callback);
          return send(upstream.client.makeClientStreamRequest(method.path, same, decode, withCaller(metadata, request), options, callback));
        }, request.trace);
        return reply.send(toJson(answer));
      }
      // The platform client's streams are not retried or counted by its breaker; an open one still stops them.
      if (calls.circuitState === CircuitState.Open) return problem(reply, 503, `${route.service} is failing: circuit open, not called`);
      // A caller that goes away closes its connection (HTTP/1.1 has no other way), also one whose
      // request waits behind another on it: the call is cancelled then, not at the upstream's next
      // message or its deadline (a quiet stream may send nothing for long); the trace hooks end
      // the line and the span.
      const socket = request.raw.socket;
      const gone = () => socket.destroyed === true;
      let call: grpc.ClientReadableStream<protobuf.Message> | undefined;
      const forget = whenConnectionCloses(socket, () => call?.cancel());
      try {
        const messages: unknown[] = [];
        const stream = calls.stream<protobuf.Message>(method.name, (metadata, options) => {
          call = method.clientStream
            ? send(upstream.client.makeBidiStreamRequest(method.path, same, decode, withCaller(metadata, request), options))
            : upstream.client.makeServerStreamRequest(method.path, same, decode, bytes[0], withCaller(metadata, request), options);
          // Gone while the call's service token was made.
          if (gone()) call.cancel();
          return call;
        }, request.trace);
        if (acceptsNdjson(request.headers.accept)) return await answerLines(request, reply, name, stream, toJson, gone, () => failure);
        for await (const message of stream) {
          if (gone()) break;
          if (messages.length === MAX_STREAM_MESSAGES) {
            return problem(reply, 502, `${name} sent more than ${MAX_STREAM_MESSAGES} messages: the gateway answers a stream as one JSON array, and stops there`);
          }
          messages.push(toJson(message));
        }
        // 499 (client closed) to nobody: the access line and the request's span still end.
        return gone() ? reply.code(499).send() : reply.send(messages);
      } catch (error) {
        // The cancel above ends the stream as CANCELLED: the caller left, the upstream did nothing wrong.
        if (gone()) return reply.code(499).send();
        throw error;
      } finally {
        forget();
      }
    } catch (error) {
      const { status, detail, extensions } = failure ? problemOfBody(failure) : problemOfCall(name, error);
      return problem(reply, status, detail, extensions);
    }
  };
  /** A failed call as the problem it answers: an answer JSON cannot carry is the upstream's fault (502). */
  const problemOfCall = (name: string, error: unknown) => {
    if (error instanceof JsonMappingError) return { status: 502, detail: `${route.service} answered ${name} with what proto3 JSON cannot carry: ${error.message}`, extensions: {} };
    return problemOf(route.service, route.timeoutMs, error);
  };
  /**
   * A server stream answered a line at a time, each as the upstream sends it (waiting while the
   * caller reads slower). The status goes with the first line; a failure after it is the last line.
   */
  const answerLines = async (
    request: FastifyRequest,
    reply: FastifyReply,
    name: string,
    stream: AsyncIterable<protobuf.Message>,
    toJson: (message: protobuf.Message) => unknown,
    gone: () => boolean,
    bodyFailure: () => Error | undefined,
  ) => {
    let out: PassThrough | undefined;
    let sent = 0;
    try {
      for await (const message of stream) {
        if (gone()) break;
        const line = `${JSON.stringify(toJson(message))}\n`;
        if (!out) {
          out = new PassThrough();
          void reply.type(NDJSON).send(out);
        }
        sent += 1;
        if (!out.write(line)) await drainedOrDone(out);
      }
    } catch (error) {
      if (!out) throw error;
      // The caller left mid-stream: no one to tell, and the answer already begun is not answered again.
      if (gone()) return reply;
      const failure = bodyFailure();
      const { status, detail, extensions } = failure ? problemOfBody(failure) : problemOfCall(name, error);
      failHop(request.trace, error);
      request.log.warn({ upstream: route.service, status, messages: sent }, `${route.service}'s stream failed after ${sent} message(s): ${detail}`);
      out.end(`${JSON.stringify({ error: problemBody(status, detail, { upstream: route.service, ...extensions }) })}\n`);
      return reply;
    }
    if (gone()) return out ? reply : reply.code(499).send();
    if (!out) return reply.type(NDJSON).send("");
    out.end();
    return reply;
  };
  const options = { onRequest: route.onRequest, preHandler: route.preHandler, config, handler };
  const notAllowed = async (_request: FastifyRequest, reply: FastifyReply) => {
    reply.header("allow", "POST");
    return problem(reply, 405, `a method of ${route.service} is called with POST and a JSON body`);
  };
  await app.register(async (scope) => {
    // An empty body is the empty request, also when it says it is JSON (`curl -H 'content-type: application/json'`).
    const parseJson = scope.getDefaultJsonParser("error", "error");
    scope.removeContentTypeParser("application/json");
    scope.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) =>
      body === "" ? done(null, undefined) : parseJson(request, body as string, done));
    // A stream of messages, read as it comes (grpc-ndjson.ts): the body limit bounds each line.
    scope.addContentTypeParser(NDJSON, (request, payload, done) => done(null, linesOf(payload, request.routeOptions.bodyLimit ?? 1024 * 1024)));
    // Answered before the handler read it (no token, rate limited): the rest is read and dropped,
    // or the connection's next request would wait behind it.
    scope.addHook("onResponse", async (request) => {
      if (isBodyLines(request.body)) request.body.release();
    });
    scope.post(route.path, options);
    scope.post(`${route.path}/:method`, options);
    scope.route({ method: ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"], url: `${route.path}/:method`, config, handler: notAllowed });
  });
  return { get state() { return calls.circuitState; } };
}

/**
 * The method a composed (BFF) call reads a gRPC service's collection with: a server-streaming
 * `List...` method whose request has a `limit` field, as the List method of msx's gRPC services.
 * None: the service has no collection to compose.
 */
export function collectionMethod(upstream: GrpcUpstream): ExposedMethod | undefined {
  for (const [name, method] of upstream.methods) {
    if (name.startsWith("List") && method.serverStream && !method.clientStream && method.requestType.fields.limit) return method;
  }
  return undefined;
}

/**
 * The first `limit` messages of the collection as proto3 JSON, through `calls` (its deadline and
 * service token), in the request's span and for its verified caller; the stream is cancelled there.
 */
export async function firstOfCollection(upstream: GrpcUpstream, calls: ResilientGrpc, method: ExposedMethod, request: FastifyRequest, limit: number): Promise<unknown[]> {
  const bytes = encoder(method)({ limit });
  const decode = (answer: Buffer) => method.responseType.decode(answer);
  const stream = calls.stream<protobuf.Message>(
    method.name,
    (metadata, options) => upstream.client.makeServerStreamRequest(method.path, same, decode, bytes, withCaller(metadata, request), options),
    request.trace,
  );
  const messages: unknown[] = [];
  for await (const message of stream) {
    messages.push(messageToJson(method.responseType, message));
    if (messages.length === limit) break;
  }
  return messages;
}

/** A server stream is answered as one array, held in memory until it ends: bounded. */
const MAX_STREAM_MESSAGES = 10_000;

/** The body is serialized before the call (a body that does not fit is the caller's 400, not a failed call). */
const same = (bytes: Buffer) => bytes;

/**
 * The request messages the body stands for, serialized: one for a unary or server-streaming
 * method (no body at all is the empty request; a JSON null is not a message), the array's
 * elements in order for a client-streaming or bidirectional one (no body: none). Throws a
 * JsonMappingError naming the field, `[2].quantity` for an array's third message.
 */
function requestMessages(name: string, method: ExposedMethod, body: unknown, encode: (json: unknown, path?: string) => Buffer): Buffer[] {
  const { requestType } = method;
  if (!method.clientStream) {
    if (body === null) throw new JsonMappingError("the body must be a JSON object (the method's request message)");
    return [encode(body ?? {})];
  }
  if (body === undefined) return [];
  if (!Array.isArray(body)) throw new JsonMappingError(`${name} takes a stream of ${requestType.name}: the body must be a JSON array of them, in the order to send`);
  return body.map((json, index) => encode(json, `[${index}]`));
}

/** One request message from its proto3 JSON, serialized; a JsonMappingError names the field (`path` in front). */
function encoder(method: ExposedMethod): (json: unknown, path?: string) => Buffer {
  const { requestType } = method;
  return (json, path) => Buffer.from(requestType.encode(requestType.fromObject(messageFromJson(requestType, json, path))).finish());
}

/** A streamed body's own failure, which cancelled the call: the caller's line (400, 413), or the caller gone (499). */
function problemOfBody(failure: Error): { status: number; detail: string; extensions: Record<string, unknown> } {
  if (failure instanceof JsonMappingError) return { status: 400, detail: failure.message, extensions: {} };
  if (failure instanceof LineTooLongError) return { status: 413, detail: failure.message, extensions: {} };
  return { status: 499, detail: `the caller's body ended early: ${failure.message}`, extensions: {} };
}

const isBodyLines = (body: unknown): body is BodyLines => typeof (body as BodyLines | undefined)?.release === "function";

/** Writes the request stream and half-closes it: the server has every message before it answers the last. */
function sendAll<Call extends grpc.ClientWritableStream<Buffer> | grpc.ClientDuplexStream<Buffer, protobuf.Message>>(call: Call, messages: Buffer[]): Call {
  // grpc-js buffers what the HTTP/2 stream cannot take yet; the body's size limit bounds it.
  for (const message of messages) call.write(message);
  call.end();
  return call;
}

/**
 * What the upstream is told besides the span and the service token: the request id, and the
 * caller the gateway verified (as the HTTP routes send them in headers).
 */
function withCaller(metadata: grpc.Metadata, request: FastifyRequest): grpc.Metadata {
  metadata.set("x-request-id", request.id);
  for (const field of request.caller ? callerFields(request.caller) : []) metadata.set(field.key, "text" in field ? field.text : field.bytes);
  return metadata;
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
      error.code === grpc.status.DEADLINE_EXCEEDED ? `${service} did not answer within ${timeoutMs} ms` : error.code === grpc.status.UNAVAILABLE ? `${service} is unreachable: ${message.replace(/\s*Resolution note:\s*$/, "")}` : message;
    return { status, detail, extensions: { grpcStatus: grpc.status[error.code], ...(error.status?.details.length ? { details: error.status.details } : {}) } };
  }
  if (error instanceof DependencyError) {
    const open = error.cause instanceof BrokenCircuitError;
    return { status: 503, detail: open ? `${service} is failing: circuit open, not called` : `${service} is unreachable: ${error.message}`, extensions: {} };
  }
  throw error;
}
