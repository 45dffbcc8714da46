import * as grpc from "@grpc/grpc-js";
import type { Logger } from "../platform/logger.js";
import { formatTraceparent, runWithTrace, startTrace, type TraceContext } from "../platform/trace-context.js";
import { toCallError, type CallError } from "./status-error.js";

/** Aborted when the caller cancels or its deadline passes: pass it to anything slow. */
export interface CallScope {
  signal: AbortSignal;
}

type Call = grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>;

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
  return (call, callback) => {
    const { trace, scope, started } = begin(call as Call);
    void runWithTrace(trace, async () => {
      try {
        const response = await handle(call.request, scope);
        completed(logger, method, started, call as Call, grpc.status.OK);
        answerTrace(call as Call, trace);
        callback(null, response);
      } catch (error) {
        const failure = failureOf(call as Call, error, logger, method);
        completed(logger, method, started, call as Call, failure.code);
        answerTrace(call as Call, trace);
        callback(failure);
      }
    });
  };
}

/** The same for a server-streaming handler: it writes with `send` and returns when done. */
export function serverStream<Req, Res>(
  method: string,
  logger: Logger,
  handle: (request: Req, send: (message: Res) => void, scope: CallScope) => Promise<void>,
): grpc.handleServerStreamingCall<Req, Res> {
  return (call) => {
    const { trace, scope, started } = begin(call as Call);
    void runWithTrace(trace, async () => {
      try {
        let sent = false;
        const send = (message: Res) => {
          if (!sent) answerTrace(call as Call, trace);
          sent = true;
          call.write(message);
        };
        await handle(call.request, send, scope);
        completed(logger, method, started, call as Call, grpc.status.OK);
        if (!sent) answerTrace(call as Call, trace);
        call.end();
      } catch (error) {
        const failure = failureOf(call as Call, error, logger, method);
        completed(logger, method, started, call as Call, failure.code);
        call.emit("error", failure);
      }
    });
  };
}

function begin(call: Call): { trace: TraceContext; scope: CallScope; started: number } {
  const header = call.metadata.get("traceparent")[0];
  const trace: TraceContext = startTrace(typeof header === "string" ? header : undefined);
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  if (Number.isFinite(deadlineMs)) trace.deadline = deadlineMs;
  let controller: AbortController | undefined;
  // Made only for handlers that ask: an AbortController per call costs more than the rest of this.
  const scope = {
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (call.cancelled) controller.abort(new Error("call cancelled"));
        else call.on("cancelled", () => controller!.abort(new Error("call cancelled")));
      }
      return controller.signal;
    },
  };
  return { trace, scope, started: performance.now() };
}

/** Our span, as response metadata: sent with the answer, so headers, message and status go out in one write. */
function answerTrace(call: Call, trace: TraceContext): void {
  const metadata = new grpc.Metadata();
  metadata.set("traceparent", formatTraceparent(trace));
  call.sendMetadata(metadata);
}

const SERVER_FAULTS = new Set([grpc.status.UNKNOWN, grpc.status.INTERNAL, grpc.status.DATA_LOSS]);

function completed(logger: Logger, method: string, started: number, call: Call, code: grpc.status): void {
  // A call whose caller gave up was already answered by grpc-js: log what the caller saw.
  if (call.cancelled && code === grpc.status.OK) code = expired(call) ? grpc.status.DEADLINE_EXCEEDED : grpc.status.CANCELLED;
  const fields = { method, grpc_code: code, grpc_status: grpc.status[code], duration_ms: Math.round((performance.now() - started) * 100) / 100 };
  if (SERVER_FAULTS.has(code)) logger.error(fields, "call completed");
  else logger.info(fields, "call completed");
}

function failureOf(call: Call, error: unknown, logger: Logger, method: string): CallError {
  // The handler gave up because the caller did (its signal aborted): not a failure of ours.
  if (call.cancelled) return { code: expired(call) ? grpc.status.DEADLINE_EXCEEDED : grpc.status.CANCELLED, details: "the caller gave up" };
  // The service's full name ("pkg.v1.Service") is the domain of our ErrorInfo reasons.
  return toCallError(error, logger, method.slice(0, method.indexOf("/")));
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
