import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as HttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface ExportedTrace {
  traceId: string;
  serverSpanId: string;
  clientSpanId: string;
}

/**
 * A real OpenTelemetry SDK (tracer provider + the OTLP/HTTP exporter, JSON or
 * protobuf) sends one trace of two spans to `endpoint`: a server span with
 * attributes of every type, and a client child that failed with a recorded
 * exception. The spans are passed as values (explicit Context), as the
 * generated services do. Resolves once the exporter has sent them.
 */
export async function exportTrace(endpoint: string, options: { encoding: 'json' | 'protobuf'; service: string; compression?: 'gzip' | 'none' }): Promise<ExportedTrace> {
  const config = { url: `${endpoint}/v1/traces`, compression: options.compression ?? 'none' } as ConstructorParameters<typeof HttpProtoExporter>[0];
  const exporter = options.encoding === 'protobuf' ? new HttpProtoExporter(config) : new HttpJsonExporter(config);
  const failures: unknown[] = [];
  const checked = {
    export: (spans: Parameters<typeof exporter.export>[0], done: Parameters<typeof exporter.export>[1]) =>
      exporter.export(spans, (result) => {
        if (result.error) failures.push(result.error);
        done(result);
      }),
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush(),
  };
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.service, 'service.version': '1.2.3' }),
    spanProcessors: [new SimpleSpanProcessor(checked)],
  });
  const tracer = provider.getTracer('msx-test', '0.0.1');
  const server = tracer.startSpan('GET /orders/:id', {
    kind: SpanKind.SERVER,
    attributes: { 'http.route': '/orders/:id', 'http.response.status_code': 200, 'sample.ratio': 0.25, 'sample.ok': true, 'sample.tags': ['a', 'b'] },
  });
  const client = tracer.startSpan('stock.Stock/Reserve', { kind: SpanKind.CLIENT, attributes: { 'rpc.method': 'Reserve' } }, trace.setSpan(context.active(), server));
  client.recordException(new Error('out of stock'));
  client.setStatus({ code: SpanStatusCode.ERROR, message: 'out of stock' });
  client.end();
  server.end();
  await provider.forceFlush();
  await provider.shutdown();
  if (failures.length > 0) throw new Error(`the exporter failed: ${String(failures[0])}`);
  return { traceId: server.spanContext().traceId, serverSpanId: server.spanContext().spanId, clientSpanId: client.spanContext().spanId };
}
