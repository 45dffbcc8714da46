import { ROOT_CONTEXT, TraceFlags, trace, type Context, type Span, type SpanOptions, type Tracer } from "@opentelemetry/api";
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { Logger } from "./logger.js";
import { newId } from "./trace-ids.js";
import type { Sdk } from "./tracing-sdk.js";

/** Where this process's spans go, and how to stop sending them. */
export interface Tracing {
  /** "otlp" when spans are exported; "ids-only" when spans only give logs their ids (no SDK). */
  readonly mode: "otlp" | "ids-only" | "custom";
  /** Resolves once spans are recorded (the SDK loaded); at once without an SDK. */
  readonly ready: Promise<void>;
  /** Exports that failed so far (receiver down, slow past its timeout, answering an error). */
  readonly failedExports: number;
  /** Spans the batch queue had no room for (the receiver slower than this service), counted once the queue takes spans again. */
  readonly droppedSpans: number;
  /** Flushes what the batch processor holds, within `timeoutMs`; a receiver that is away does not hold shutdown. */
  shutdown(timeoutMs?: number): Promise<void>;
}

export interface TracingOptions {
  serviceName: string;
  logger: Logger;
  /** Tests: spans go to this processor (an in-memory exporter behind it) whatever the env says. */
  processor?: SpanProcessor;
  /** Spans an export unless OTEL_BSP_MAX_EXPORT_BATCH_SIZE is set: 128 by default, 512 for a consumer (tracing-sdk.ts). */
  exportBatchSize?: number;
}

// The tracer every span of this process is started from. Until startTracing has loaded the
// SDK (and in tests that never call it) spans only carry ids.
let current: Tracer | undefined;

/** The process's tracer: spans are started from it with an explicit parent Context, never an active one. */
export function getTracer(): Tracer {
  return (current ??= idsOnlyTracer);
}

/** False when spans are ids only: callers skip building attributes nobody records. */
export function recordingSpans(): boolean {
  return getTracer() !== idsOnlyTracer;
}

/**
 * Sets up spans from the standard env. OTEL_SDK_DISABLED=true, or neither
 * OTEL_EXPORTER_OTLP_ENDPOINT nor OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, means no
 * SDK at all: spans are ids for the logs and the traceparent sent on, and the
 * SDK's modules are never loaded. Otherwise the SDK (tracing-sdk.ts) is
 * loaded in the background; await `ready` before serving.
 */
export function startTracing(options: TracingOptions): Tracing {
  const env = process.env;
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!options.processor && (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true" || !endpoint)) {
    current = idsOnlyTracer;
    return { mode: "ids-only", ready: Promise.resolve(), failedExports: 0, droppedSpans: 0, shutdown: async () => undefined };
  }
  let sdk: Sdk | undefined;
  const ready = import("./tracing-sdk.js").then(({ startSdk }) => {
    sdk = startSdk({ ...options, endpoint: String(endpoint) });
    current = sdk.tracer;
  });
  return {
    mode: options.processor ? "custom" : "otlp",
    ready,
    get failedExports() {
      return sdk?.failedExports() ?? 0;
    },
    get droppedSpans() {
      return sdk?.droppedSpans() ?? 0;
    },
    shutdown: (timeoutMs = 2000) => withinTime(ready.then(() => sdk?.shutdown()), timeoutMs),
  };
}

function withinTime(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([work.then(() => undefined, () => undefined), late]).finally(() => clearTimeout(timer));
}

/**
 * What the API's own no-op tracer is, except that each span gets a fresh span
 * id in its parent's trace (the API's would reuse the parent's ids, and the
 * logs need one id per hop). No SDK, no processor, no export: near-zero cost.
 */
class IdsOnlyTracer implements Tracer {
  startSpan(_name: string, _options?: SpanOptions, context: Context = ROOT_CONTEXT): Span {
    // A remote parent was validated with its traceparent; a local one is valid by construction.
    const parent = trace.getSpanContext(context);
    if (parent) {
      return trace.wrapSpanContext({ traceId: parent.traceId, spanId: newId(8), traceFlags: parent.traceFlags, traceState: parent.traceState });
    }
    return trace.wrapSpanContext({ traceId: newId(16), spanId: newId(8), traceFlags: TraceFlags.SAMPLED });
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...args: unknown[]): ReturnType<F> {
    // Spans here are passed as values, never made active: run fn with the span and nothing else.
    const fn = args[args.length - 1] as F;
    const options = typeof args[0] === "object" ? (args[0] as SpanOptions) : undefined;
    const context = args.length === 3 ? (args[1] as Context) : undefined;
    return fn(this.startSpan(name, options, context)) as ReturnType<F>;
  }
}

/** Spans with ids and nothing else: for OTEL_SDK_DISABLED, no endpoint, and spans not worth recording. */
export const idsOnlyTracer: Tracer = new IdsOnlyTracer();
