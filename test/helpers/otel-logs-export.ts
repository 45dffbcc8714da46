import { context, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as HttpJsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as HttpProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';

/**
 * A real OpenTelemetry logs SDK (logger provider + the OTLP/HTTP logs exporter, JSON or protobuf)
 * sends two records to `endpoint`/v1/logs as `service`: a WARN in the span `traceId`/`spanId`
 * (given as an explicit Context) with attributes, and an INFO outside any span. Resolves once the
 * exporter has sent them; throws if it reported a failure.
 */
export async function exportLogs(endpoint: string, options: { encoding: 'json' | 'protobuf'; service: string; traceId: string; spanId: string }): Promise<void> {
  const config = { url: `${endpoint}/v1/logs` };
  const exporter = options.encoding === 'protobuf' ? new HttpProtoExporter(config) : new HttpJsonExporter(config);
  const failures: unknown[] = [];
  const checked = {
    export: (records: Parameters<typeof exporter.export>[0], done: Parameters<typeof exporter.export>[1]) =>
      exporter.export(records, (result) => {
        if (result.error) failures.push(result.error);
        done(result);
      }),
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush(),
  };
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': options.service }), processors: [new SimpleLogRecordProcessor({ exporter: checked })] });
  const logger = provider.getLogger('msx-test', '0.0.1');
  const inSpan = trace.setSpanContext(context.active(), { traceId: options.traceId, spanId: options.spanId, traceFlags: TraceFlags.SAMPLED });
  logger.emit({ severityNumber: SeverityNumber.WARN, severityText: 'WARN', body: 'stock is low', attributes: { 'stock.sku': 'sku-1', 'stock.left': 2 }, context: inSpan });
  logger.emit({ severityNumber: SeverityNumber.INFO, body: { event: 'started', port: 3000 } });
  await provider.forceFlush();
  await provider.shutdown();
  if (failures.length > 0) throw new Error(`the exporter failed: ${String(failures[0])}`);
}
