import * as grpc from "@grpc/grpc-js";
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  retry,
  wrap,
} from "cockatiel";
import { DependencyError } from "./dependency.js";
import type { StatusDetails } from "./google-rpc-details.js";
import { statusDetailsOf } from "./grpc-status-details.js";
import type { ReadinessCheck } from "./health.js";
import type { Logger } from "./logger.js";
import { SpanKind, endSpan, startOutgoing, type OutgoingSpan, type TraceContext } from "./trace-context.js";

/**
 * A gRPC dependency's call that failed: the status `code` it ended with, and
 * the google.rpc.Status details its server sent (field violations, ErrorInfo
 * reasons), when it sent any. Branch on these, not on the message.
 */
export class GrpcDependencyError extends DependencyError {
  override name = "GrpcDependencyError";

  constructor(
    message: string,
    readonly code: grpc.status,
    readonly status: StatusDetails | undefined,
    options: ErrorOptions & { unavailable?: boolean },
  ) {
    super(message, options);
  }
}

export interface GrpcPolicyOptions {
  /** Names the dependency in errors and logs. */
  name: string;
  /** Deadline of each attempt; never later than the inbound call's own deadline. */
  timeoutMs?: number;
  /** Retries after the first attempt, on UNAVAILABLE only (the server did not take the call). */
  maxRetries?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  breakerThreshold?: number;
  halfOpenAfterMs?: number;
  logger?: Logger;
  /** The service token for a call to `name` (platform/service-auth.ts), sent as `authorization: Bearer` metadata. */
  tokenFor?: (audience: string) => Promise<string | undefined>;
}

/** A unary method of a generated stub, with its request already bound. */
export type UnaryInvoker<Res> = (
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: Res) => void,
) => grpc.ClientUnaryCall;

/** A server-streaming method of a generated stub, with its request already bound. */
export type StreamInvoker<Res> = (metadata: grpc.Metadata, options: grpc.CallOptions) => grpc.ClientReadableStream<Res>;

export interface ResilientGrpc {
  /** A unary call; made in `trace` (the caller's span), it carries its traceparent and ends by its deadline. */
  call<Res>(method: string, invoke: UnaryInvoker<Res>, trace?: TraceContext): Promise<Res>;
  /**
   * A server stream under one deadline for the whole stream, with the
   * traceparent of `trace`. Not retried: a stream that failed midway may have been partly
   * read, so only the caller knows whether to start over. Stopping early cancels it.
   */
  stream<Res>(method: string, invoke: StreamInvoker<Res>, trace?: TraceContext): AsyncIterable<Res>;
  readonly circuitState: CircuitState;
}

// The server is away or failing: these open the circuit. Caller mistakes (NOT_FOUND, ...) do not.
const SERVER_FAILURES = new Set([
  grpc.status.UNAVAILABLE,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.INTERNAL,
  grpc.status.UNKNOWN,
  grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.DATA_LOSS,
]);
const UNREACHABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]);

const codeOf = (error: unknown): number | undefined =>
  typeof (error as grpc.ServiceError | undefined)?.code === "number" ? (error as grpc.ServiceError).code : undefined;

/**
 * cockatiel policies for gRPC calls: retry (UNAVAILABLE, exponential backoff
 * with jitter) around one circuit breaker per client. Every attempt carries
 * the caller's traceparent and a deadline no later than the caller's own.
 */
export function resilientGrpc(options: GrpcPolicyOptions): ResilientGrpc {
  const { name, logger, tokenFor } = options;
  const timeoutMs = options.timeoutMs ?? 2000;
  const breaker = circuitBreaker(handleWhen((error) => SERVER_FAILURES.has(codeOf(error) ?? -1)), {
    halfOpenAfter: options.halfOpenAfterMs ?? 10_000,
    breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5),
  });
  const retries = retry(handleWhen((error) => codeOf(error) === grpc.status.UNAVAILABLE), {
    maxAttempts: options.maxRetries ?? 2,
    backoff: new ExponentialBackoff({ initialDelay: options.initialDelayMs ?? 100, maxDelay: options.maxDelayMs ?? 2000 }),
  });
  retries.onRetry((reason) => logger?.debug({ dependency: name, attempt: reason.attempt }, "retrying call"));
  breaker.onStateChange((state) => logger?.warn({ dependency: name, circuit: CircuitState[state] }, "circuit changed"));
  const policy = wrap(retries, breaker);
  return {
    async call<Res>(method: string, invoke: UnaryInvoker<Res>, trace?: TraceContext): Promise<Res> {
      // One client span for the call, retries included: every attempt carries it as the parent.
      const outgoing = startOutgoing(trace, clientSpan(method));
      try {
        const response = await policy.execute(async () => attempt(invoke, timeoutMs, trace, outgoing, await tokenFor?.(name)));
        endCall(outgoing, undefined);
        return response;
      } catch (error) {
        const failure = dependencyError(name, method, error);
        endCall(outgoing, failure, codeOf(error));
        throw failure;
      }
    },
    stream<Res>(method: string, invoke: StreamInvoker<Res>, trace?: TraceContext): AsyncIterable<Res> {
      const outgoing = startOutgoing(trace, clientSpan(method));
      // Opened now (once its token is there), not when the first message is asked for: its deadline runs from here.
      const deadline = deadlineWithin(timeoutMs, trace);
      const call = Promise.resolve(tokenFor?.(name)).then((token) => invoke(outgoingMetadata(outgoing, token), { deadline }));
      return readStream(call, (error) => dependencyError(name, method, error), outgoing);
    },
    get circuitState() {
      return breaker.state;
    },
  };
}

/** rpc.* attributes from "pkg.v1.Service/Method" (OpenTelemetry's RPC conventions). */
function clientSpan(method: string) {
  const slash = method.lastIndexOf("/");
  const attributes = { "rpc.system": "grpc", "rpc.service": slash < 0 ? "" : method.slice(0, slash), "rpc.method": method.slice(slash + 1) };
  return { name: method, kind: SpanKind.CLIENT, attributes };
}

/** Ends a call's span with the status it ended with; a status other than OK fails it. */
function endCall(outgoing: OutgoingSpan | undefined, failure: Error | undefined, code = grpc.status.OK): void {
  if (!outgoing) return;
  // Set when the server answered a status (not for an open circuit, which never sent anything).
  if (failure === undefined || codeOf(failure.cause) !== undefined) outgoing.span.setAttribute("rpc.grpc.status_code", code);
  endSpan(outgoing.span, failure);
}

function attempt<Res>(
  invoke: UnaryInvoker<Res>,
  timeoutMs: number,
  trace: TraceContext | undefined,
  outgoing: OutgoingSpan | undefined,
  token: string | undefined,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    invoke(outgoingMetadata(outgoing, token), { deadline: deadlineWithin(timeoutMs, trace) }, (error, response) => (error ? reject(error) : resolve(response as Res)));
  });
}

async function* readStream<Res>(
  opening: Promise<grpc.ClientReadableStream<Res>>,
  failure: (error: unknown) => Error,
  outgoing: OutgoingSpan | undefined,
): AsyncGenerator<Res> {
  let ended = false;
  let call: grpc.ClientReadableStream<Res> | undefined;
  try {
    call = await opening;
    for await (const message of call) yield message as Res;
    ended = true;
    endCall(outgoing, undefined);
  } catch (error) {
    ended = true;
    const failed = failure(error);
    endCall(outgoing, failed, codeOf(error));
    throw failed;
  } finally {
    // The consumer stopped early (break, return, throw): the server need not keep sending.
    if (!ended) {
      call?.cancel();
      outgoing?.span.end();
    }
  }
}

function outgoingMetadata(outgoing: OutgoingSpan | undefined, token?: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (token) metadata.set("authorization", `Bearer ${token}`);
  if (outgoing) {
    metadata.set("traceparent", outgoing.headers.traceparent);
    metadata.set("tracestate", outgoing.headers.tracestate);
  }
  return metadata;
}

/** Our own timeout, but never later than the inbound call's deadline. */
const deadlineWithin = (timeoutMs: number, trace: TraceContext | undefined) => Math.min(Date.now() + timeoutMs, trace?.deadline ?? Infinity);

/** What a caller of the client sees: a DependencyError, with the status code and its details when the server answered. */
export function dependencyError(name: string, method: string, error: unknown): DependencyError {
  if (error instanceof BrokenCircuitError) return new DependencyError(`${name}: ${method} not sent: circuit open`, { cause: error });
  const code = codeOf(error);
  if (code === undefined) return new DependencyError(`${name}: ${method} failed: ${String(error)}`, { cause: error, unavailable: false });
  const serviceError = error as grpc.ServiceError;
  return new GrpcDependencyError(`${name}: ${method} failed: ${grpc.status[code]}: ${serviceError.details}`, code, statusDetailsOf(serviceError), {
    cause: error,
    unavailable: UNREACHABLE.has(code),
  });
}

/**
 * grpc.health.v1.Health/Check for the whole server (service ""), so readiness
 * needs no health.proto: the request is empty and SERVING is bytes 08 01.
 */
export function grpcHealthCheck(client: grpc.Client, name: string): ReadinessCheck {
  return (signal) =>
    new Promise<void>((resolve, reject) => {
      const call = client.makeUnaryRequest(
        "/grpc.health.v1.Health/Check",
        () => Buffer.alloc(0),
        (bytes: Buffer) => (bytes.length >= 2 && bytes[0] === 0x08 ? bytes[1] : 0),
        {},
        new grpc.Metadata(),
        { deadline: Date.now() + 2000 },
        (error: grpc.ServiceError | null, status?: number) => {
          if (error) reject(new Error(`${name} health check: ${grpc.status[error.code]} ${error.details}`));
          else if (status !== 1) reject(new Error(`${name} reports ${status === 2 ? "NOT_SERVING" : `status ${status}`}`));
          else resolve();
        },
      );
      signal.addEventListener("abort", () => call.cancel(), { once: true });
    });
}
