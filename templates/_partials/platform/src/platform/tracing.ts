import { ROOT_CONTEXT, TraceFlags, isSpanContextValid, trace, type Context, type Span, type SpanOptions, type Tracer } from "@opentelemetry/api";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { Logger } from "./logger.js";
import { newId } from "./trace-ids.js";

/** Where this process's spans go, and how to stop sending them. */
export interface Tracing {
  /** "otlp" when spans are exported; "ids-only" when spans only give logs their ids (no SDK). */
  readonly mode: "otlp" | "ids-only" | "custom";
  /** Exports that failed so far (receiver down, slow past its timeout, answering an error). */
  readonly failedExports: number;
  /** Flushes what the batch processor holds, within `timeoutMs`; a receiver that is away does not hold shutdown. */
  shutdown(timeoutMs?: number): Promise<void>;
}

export interface TracingOptions {
  serviceName: string;
  logger: Logger;
  /** Tests: spans go to this processor (an in-memory exporter behind it) whatever the env says. */
  processor?: SpanProcessor;
}

// The tracer every span of this process is started from. Until startTracing runs (and in
// tests that never call it) spans only carry ids.
let current: Tracer | undefined;

/** The process's tracer: spans are started from it with an explicit parent Context, never an active one. */
export function getTracer(): Tracer {
  return (current ??= idsOnlyTracer);
}

/**
 * Sets up spans from the standard env: OTEL_SDK_DISABLED=true, or no
 * OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, means no
 * SDK at all (spans are ids for the logs and the traceparent). Otherwise a
 * BatchSpanProcessor (bounded queue, OTEL_BSP_* honoured) in front of the
 * OTLP/HTTP JSON exporter, the sampler from OTEL_TRACES_SAMPLER(_ARG), the
 * resource from OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES.
 */
export function startTracing(options: TracingOptions): Tracing {
  // The SDK reads the rest of the OTEL_* env itself (sampler, batch sizes, exporter URL and headers).
  const env = process.env;
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!options.processor && (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true" || !endpoint)) {
    current = idsOnlyTracer;
    return { mode: "ids-only", failedExports: 0, shutdown: async () => undefined };
  }
  const exporter = options.processor ? undefined : new CountingExporter(new OTLPTraceExporter(), options.logger, String(endpoint));
  const processor = options.processor ?? new BatchSpanProcessor(exporter!);
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new BasicTracerProvider({ resource, spanProcessors: [processor] });
  current = provider.getTracer(options.serviceName);
  return {
    mode: options.processor ? "custom" : "otlp",
    get failedExports() {
      return exporter?.failures ?? 0;
    },
    shutdown: (timeoutMs = 2000) => withinTime(provider.shutdown(), timeoutMs),
  };
}

function withinTime(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([work.catch(() => undefined), late]).finally(() => clearTimeout(timer));
}

/**
 * The OTLP exporter, counting failed exports and saying so once (one WARN
 * line): a receiver that is away must not flood the service's own logs.
 */
class CountingExporter implements SpanExporter {
  failures = 0;

  constructor(
    private readonly inner: SpanExporter,
    private readonly logger: Logger,
    private readonly endpoint: string,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code !== ExportResultCode.SUCCESS) this.failed(result.error, spans.length);
      done(result);
    });
  }

  private failed(error: Error | undefined, spans: number): void {
    this.failures += 1;
    if (this.failures === 1) {
      this.logger.warn({ endpoint: this.endpoint, spans, err: error }, "span export failed; spans are dropped while it fails (logged once)");
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/**
 * What the API's own no-op tracer is, except that each span gets a fresh span
 * id in its parent's trace (the API's would reuse the parent's ids, and the
 * logs need one id per hop). No SDK, no processor, no export: near-zero cost.
 */
class IdsOnlyTracer implements Tracer {
  startSpan(_name: string, _options?: SpanOptions, context: Context = ROOT_CONTEXT): Span {
    const parent = trace.getSpanContext(context);
    if (parent && isSpanContextValid(parent)) {
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
