// Spans for the bare servers, as OpenTelemetry's own getting-started code makes them, when
// BARE_SPANS=1 (the benches' BARE_VS_BARE=sdk): the SDK's BasicTracerProvider with a
// service.name resource, its BatchSpanProcessor (OTEL_BSP_* from the env, the benches set the
// generated kind's batch size) and the OTLP/HTTP protobuf exporter (OTEL_EXPORTER_OTLP_ENDPOINT),
// loaded from the generated service's own node_modules, so the same versions. No propagation, no
// trace ids in the log lines, no exception recording: one span per operation with the attributes
// the generated one sets, and nothing else of msx. What the SDK alone costs, beside the bare
// server without it: the floor under the generated service's exported-spans figure.
// Usage: const tracer = bareTracer(require, "orders"); undefined unless BARE_SPANS=1.
export function bareTracer(require, serviceName) {
  if (process.env.BARE_SPANS !== "1") return undefined;
  const sdk = require("@opentelemetry/sdk-trace-base");
  // TracerProvider in the 3.x line (@opentelemetry/sdk-trace, Node >= 22.15), for a run by hand against it.
  const Provider = sdk.BasicTracerProvider ?? sdk.TracerProvider;
  const { OTLPTraceExporter } = require("@opentelemetry/exporter-trace-otlp-proto");
  const { resourceFromAttributes } = require("@opentelemetry/resources");
  const provider = new Provider({
    resource: resourceFromAttributes({ "service.name": serviceName }),
    spanProcessors: [new sdk.BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // The bench stops servers with SIGTERM and counts the spans the collector got: flush first.
  process.once("SIGTERM", () => provider.shutdown().finally(() => process.exit(0)));
  return provider.getTracer(serviceName);
}

// SpanKind and SpanStatusCode of @opentelemetry/api, as numbers (the bare servers do not depend on the API's module).
export const SERVER = 1;
export const CLIENT = 2;
export const CONSUMER = 4;
export const ERROR = 2;
