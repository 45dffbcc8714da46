import * as grpc from "@grpc/grpc-js";
import { spanLogger, type Logger } from "../platform/logger.js";
import { SpanKind, endSpan, formatTraceparent, markFailed, startTrace, traceFields, type SpanStart, type TraceContext } from "../platform/trace-context.js";
import { toCallError, type CallError } from "./status-error.js";

type Call = grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>;

/**
 * What a handler gets beside its request: the call's span (pass `trace` to
 * clients and the publisher, so they continue it and keep its deadline), a
 * logger whose lines name that span, and a signal for anything slow.
 */
export class CallScope {
  readonly trace: TraceContext;
  readonly #logger: Logger;
  readonly #call: Call;
  #log: Logger | undefined;
  #controller: AbortController | undefined;

  /** `span`: the method's server span (serverSpan), made once per method. */
  constructor(call: Call, logger: Logger, span: SpanStart) {
    const headers = { traceparent: call.metadata.get("traceparent")[0], tracestate: call.metadata.get("tracestate")[0] };
    this.trace = startTrace(headers, span);
    const deadline = call.getDeadline();
    const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
    if (Number.isFinite(deadlineMs)) this.trace.deadline = deadlineMs;
    this.#logger = logger;
    this.#call = call;
  }

  /** The service's logger with this call's trace_id, span_id and parent_span_id on every line. */
  get log(): Logger {
    return (this.#log ??= spanLogger(this.#logger, this.trace));
  }

  /**
   * One line about this call with its trace fields: through the span logger when
   * a handler made one, else with the fields on the line itself - the same JSON
   * line, without making a pino child for the one line most calls write.
   */
  line(level: "info" | "error", fields: Record<string, unknown>, msg: string): void {
    if (this.#log) this.#log[level](fields, msg);
    else this.#logger[level](Object.assign(traceFields(this.trace), fields), msg);
  }

  /** Aborted when the caller cancels or its deadline passes. Made on first use: most calls never ask. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      const controller = (this.#controller = new AbortController());
      if (this.#call.cancelled) controller.abort(new Error("call cancelled"));
      else this.#call.on("cancelled", () => controller.abort(new Error("call cancelled")));
    }
    return this.#controller.signal;
  }
}

/**
 * A method's server span: rpc.* attributes from "pkg.v1.Service/Method" (OpenTelemetry's RPC
 * conventions). One per method, shared by its calls: the SDK copies the attributes it is given.
 */
function serverSpan(method: string): SpanStart {
  const slash = method.lastIndexOf("/");
  const attributes = { "rpc.system": "grpc", "rpc.service": slash < 0 ? "" : method.slice(0, slash), "rpc.method": method.slice(slash + 1) };
  return { name: method, kind: SpanKind.SERVER, attributes };
}

/**
 * A unary handler run in its own span: continues the caller's `traceparent`
 * metadata (or starts a trace), answers with this service's span, keeps the
 * caller's deadline for outgoing calls, maps errors to statuses, and logs one
 * "call completed" line with method, grpc_code and duration_ms.
 */
export function unary<Req, Res>(
  method: string,
  logger: Logger,
  handle: (request: Req, scope: CallScope) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  const span = serverSpan(method);
  return (call, callback) => {
    const started = performance.now();
    const scope = new CallScope(call as Call, logger, span);
    // then(), not an async wrapper: a promise fewer per call.
    run(() => handle(call.request, scope)).then(
      (response) => {
        completed(scope, method, started, call as Call, grpc.status.OK);
        answerTrace(call as Call, scope.trace);
        callback(null, response);
      },
      (error: unknown) => {
        const failure = failureOf(call as Call, error, scope, method);
        completed(scope, method, started, call as Call, failure.code, error);
        answerTrace(call as Call, scope.trace);
        callback(failure);
      },
    );
  };
}

/** The same for a server-streaming handler: it writes with `send` and returns when done. */
export function serverStream<Req, Res>(
  method: string,
  logger: Logger,
  handle: (request: Req, send: (message: Res) => void, scope: CallScope) => Promise<void>,
): grpc.handleServerStreamingCall<Req, Res> {
  const span = serverSpan(method);
  return (call) => {
    const started = performance.now();
    const scope = new CallScope(call as Call, logger, span);
    let sent = false;
    const send = (message: Res) => {
      if (!sent) answerTrace(call as Call, scope.trace);
      sent = true;
      call.write(message);
    };
    run(() => handle(call.request, send, scope)).then(
      () => {
        completed(scope, method, started, call as Call, grpc.status.OK);
        if (!sent) answerTrace(call as Call, scope.trace);
        call.end();
      },
      (error: unknown) => {
        const failure = failureOf(call as Call, error, scope, method);
        completed(scope, method, started, call as Call, failure.code, error);
        call.emit("error", failure);
      },
    );
  };
}

/** A handler that throws before its first await still ends in a rejected promise. */
function run<T>(handler: () => Promise<T>): Promise<T> {
  try {
    return handler();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Our span, as response metadata: sent with the answer, so headers, message and status go out in one write. */
function answerTrace(call: Call, trace: TraceContext): void {
  const metadata = new grpc.Metadata();
  metadata.set("traceparent", formatTraceparent(trace));
  call.sendMetadata(metadata);
}

const SERVER_FAULTS = new Set([grpc.status.UNKNOWN, grpc.status.INTERNAL, grpc.status.DATA_LOSS]);

function completed(scope: CallScope, method: string, started: number, call: Call, code: grpc.status, error?: unknown): void {
  // A call whose caller gave up was already answered by grpc-js: log what the caller saw.
  if (call.cancelled && code === grpc.status.OK) code = expired(call) ? grpc.status.DEADLINE_EXCEEDED : grpc.status.CANCELLED;
  const fields = { method, grpc_code: code, grpc_status: grpc.status[code], duration_ms: Math.round((performance.now() - started) * 100) / 100 };
  scope.line(SERVER_FAULTS.has(code) ? "error" : "info", fields, "call completed");
  endCallSpan(scope.trace, code, error);
}

/** The server span ends with the call's status: a server fault fails it (a caller's mistake does not), with its exception. */
function endCallSpan(trace: TraceContext, code: grpc.status, error: unknown): void {
  trace.span.setAttribute("rpc.grpc.status_code", code);
  if (!SERVER_FAULTS.has(code)) return void trace.span.end();
  if (error === undefined) markFailed(trace.span, grpc.status[code]);
  endSpan(trace.span, error);
}

function failureOf(call: Call, error: unknown, scope: CallScope, method: string): CallError {
  // The handler gave up because the caller did (its signal aborted): not a failure of ours.
  if (call.cancelled) return { code: expired(call) ? grpc.status.DEADLINE_EXCEEDED : grpc.status.CANCELLED, details: "the caller gave up" };
  // The service's full name ("pkg.v1.Service") is the domain of our ErrorInfo reasons.
  return toCallError(error, scope.log, method.slice(0, method.indexOf("/")));
}

/**
 * The server's copy of the deadline is computed when the call arrives, a little
 * after the caller computed its own; so a caller giving up just before our
 * deadline is the deadline passing, not a cancel.
 */
const DEADLINE_SLACK_MS = 250;

function expired(call: Call): boolean {
  const deadline = call.getDeadline();
  return (deadline instanceof Date ? deadline.getTime() : deadline) <= Date.now() + DEADLINE_SLACK_MS;
}
