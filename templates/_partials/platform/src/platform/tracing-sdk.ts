import { DiagLogLevel, diag, type DiagLogger, type Tracer } from "@opentelemetry/api";
import { ExportResultCode, getNumberFromEnv, type ExportResult } from "@opentelemetry/core";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { Logger } from "./logger.js";

/** The SDK side of tracing.ts, imported only when spans are recorded (its modules take ~0.3 s to load). */
export interface Sdk {
  tracer: Tracer;
  failedExports(): number;
  droppedSpans(): number;
  shutdown(): Promise<void>;
}

export interface SdkOptions {
  serviceName: string;
  logger: Logger;
  /** The endpoint, for the one WARN line when exports fail. */
  endpoint: string;
  /** Tests: this processor instead of the batch processor and the OTLP exporter. */
  processor?: SpanProcessor;
  /** Spans an export when OTEL_BSP_MAX_EXPORT_BATCH_SIZE is not set (default REQUEST_BATCH_SIZE, 128). */
  exportBatchSize?: number;
}

/**
 * A BatchSpanProcessor (bounded queue; OTEL_BSP_* honoured; exportBatchSize spans an export
 * by default) in front of the OTLP/HTTP exporter (its URL, headers and timeout from
 * OTEL_EXPORTER_OTLP_*; protobuf unless OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL says http/json),
 * the sampler from OTEL_TRACES_SAMPLER(_ARG), the resource from
 * OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES over the service's name.
 */
export function startSdk(options: SdkOptions): Sdk {
  const exporter = options.processor ? undefined : new CountingExporter(otlpExporter(), options.logger, options.endpoint);
  const drops = options.processor ? undefined : new DroppedSpans(options.logger, options.endpoint);
  if (drops) diag.setLogger(drops, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  const processor = options.processor ?? new BatchSpanProcessor(exporter!, batchOptions(options.exportBatchSize));
  // "service.name" (ATTR_SERVICE_NAME) written out, as every span attribute is (trace-hooks.ts).
  const resource = resourceFromAttributes({ "service.name": options.serviceName }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new BasicTracerProvider({ resource, spanProcessors: [processor] });
  return {
    tracer: provider.getTracer(options.serviceName),
    failedExports: () => exporter?.failures ?? 0,
    droppedSpans: () => drops?.count ?? 0,
    shutdown: () => provider.shutdown(),
  };
}

/**
 * A service that answers requests sends 128 spans an export, not the SDK's 512, unless
 * OTEL_BSP_MAX_EXPORT_BATCH_SIZE says otherwise. A batch is serialized on the event loop, about
 * 5 µs a span under load, so 512 spans hold it for 2.5 ms. Every request that arrives meanwhile
 * waits that out. At 128 spans it is under 1 ms. In bench/gateway.sh, three runs of each, the
 * gateway did 61-63% of the bare proxy's requests per CPU-second at 128, against 48-55% at 512.
 * The p99 it added over the bare proxy was 1-4 ms, against 0-8 ms. The queue stays at the SDK's
 * 2048 spans.
 */
const REQUEST_BATCH_SIZE = 128;

// An event consumer asks for the SDK's 512 (its main.ts): nobody waits on its event loop for an
// answer, and in bench/consumer-throughput.sh 128 cost it 10 points per CPU-second (58-63%
// against 68-74% at 512, two runs of each).
// The env is read by the SDK's own parser, so a value it takes wins and one it ignores leaves ours.
function batchOptions(size = REQUEST_BATCH_SIZE): { maxExportBatchSize?: number } {
  return getNumberFromEnv("OTEL_BSP_MAX_EXPORT_BATCH_SIZE") === undefined ? { maxExportBatchSize: size } : {};
}

const DROPPED = /^Dropped (\d+) spans because maxQueueSize reached/;

/**
 * The batch processor drops the spans that find its queue full (the receiver
 * slower than the service makes them, one export in flight at a time) and says
 * so only to OpenTelemetry's diag logger, once the queue takes spans again:
 * counted here and said once (one WARN line), as failed exports are. Other
 * diag messages stay unlogged, as without this logger.
 */
class DroppedSpans implements DiagLogger {
  count = 0;

  constructor(
    private readonly logger: Logger,
    private readonly endpoint: string,
  ) {}

  warn(message: string): void {
    const dropped = DROPPED.exec(message);
    if (!dropped) return;
    if (this.count === 0) {
      this.logger.warn({ endpoint: this.endpoint, spans: Number(dropped[1]) }, "span queue full: spans dropped while the receiver is slower than this service (logged once)");
    }
    this.count += Number(dropped[1]);
  }

  error(): void {}
  info(): void {}
  debug(): void {}
  verbose(): void {}
}

/**
 * http/protobuf, the protocol the spec makes the default: its serializer writes
 * the spans straight into one buffer, where JSON builds an object tree, a string
 * and then the bytes (2.8 vs 5.1 µs a span, a third of the bytes; with the GC it
 * saves, a tenth of a REST request's CPU). http/json when asked for.
 */
function otlpExporter(): SpanExporter {
  const env = process.env;
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || "http/protobuf").trim().toLowerCase();
  return protocol === "http/json" ? new JsonExporter() : new ProtobufExporter();
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
