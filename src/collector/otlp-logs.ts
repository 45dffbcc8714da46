import { nameProblem } from '../models/names.js';
import { toLogLine, type ServiceLogLine } from '../state/log-record.js';
import { anyValue, attributes, idOf, isMessage, list, nanos, OtlpShapeError } from './otlp-spans.js';

/**
 * An ExportLogsServiceRequest → log lines, for a service that sends its logs over OTLP instead
 * of (or beside) stdout. Each record becomes a JSON line of the shape generated services write
 * (`level`, `time`, `msg`, `trace_id`, `span_id`, then its attributes), so `msx logs`, its trace
 * index and the dashboard treat it as any other line. Both encodings, as spansOfRequest.
 */
export interface ConvertedLogs {
  lines: ServiceLogLine[];
  rejected: number;
  /** Why the first rejected record was, for the partial-success answer. */
  reason?: string;
}

/** OTel's SeverityNumber ranges (1–4 TRACE ... 21–24 FATAL) as the level names msx logs reads. */
const SEVERITIES = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const SEVERITY_TEXTS: Record<string, string> = { trace: 'trace', debug: 'debug', info: 'info', warn: 'warn', warning: 'warn', error: 'error', fatal: 'fatal', critical: 'fatal' };

export function logLinesOfRequest(request: unknown, isService?: (name: string) => boolean, receivedAt = new Date().toISOString()): ConvertedLogs {
  if (!isMessage(request)) throw new OtlpShapeError('the body is not an ExportLogsServiceRequest object');
  const out: ConvertedLogs = { lines: [], rejected: 0 };
  for (const resourceLogs of list(request.resourceLogs, 'resourceLogs')) {
    const resource = attributes(isMessage(resourceLogs.resource) ? resourceLogs.resource.attributes : undefined);
    const service = resource['service.name'];
    // The name becomes a file under .msx/logs: only a name msx.yaml could hold.
    let problem = typeof service === 'string' ? nameProblem(service, 'service.name') : 'the resource has no service.name';
    // A name outside the workspace would open a log file (and a descriptor) of its own.
    if (!problem && isService && !isService(service as string)) problem = `service.name "${service as string}" is not a service of this workspace (msx.yaml)`;
    for (const scopeLogs of list(resourceLogs.scopeLogs, 'scopeLogs')) {
      for (const record of list(scopeLogs.logRecords, 'logRecords')) {
        if (problem) {
          out.rejected += 1;
          out.reason ??= `log records rejected: ${problem}`;
        } else out.lines.push(toLogLine(service as string, 'stdout', JSON.stringify(fieldsOf(record)), receivedAt));
      }
    }
  }
  return out;
}

function fieldsOf(record: Record<string, unknown>): Record<string, unknown> {
  const [ms, ns] = nanos(record.timeUnixNano);
  const [observedMs] = nanos(record.observedTimeUnixNano);
  const body = anyValue(record.body);
  const fields: Record<string, unknown> = { level: levelOf(record.severityNumber, record.severityText), time: isoTime(ms > 0 || ns > 0 ? ms : observedMs), msg: typeof body === 'string' ? body : body === null ? '' : JSON.stringify(body) };
  const traceId = idOf(record.traceId);
  const spanId = idOf(record.spanId);
  if (traceId?.length === 32 && !/^0+$/.test(traceId)) fields.trace_id = traceId;
  if (spanId?.length === 16 && !/^0+$/.test(spanId)) fields.span_id = spanId;
  // The record's own attributes beside them; they neither replace nor supply what msx reads the
  // line by (an attribute "trace_id" on a record without one would enter the trace index).
  for (const [key, value] of Object.entries(attributes(record.attributes))) if (!Object.hasOwn(fields, key) && !LINE_KEYS.has(key)) fields[key] = value;
  return fields;
}

// traceId/spanId too: msx logs reads a line's trace id from either spelling (log-record.ts).
const LINE_KEYS = new Set(['level', 'time', 'msg', 'trace_id', 'span_id', 'parent_span_id', 'traceId', 'spanId', 'service']);

/** A record's time (ms since the epoch) as ISO-8601; none, or one no date can hold (1e30 ns), is now. */
function isoTime(ms: number): string {
  const date = new Date(ms > 0 ? ms : Date.now());
  return Number.isNaN(date.getTime()) ? new Date().toISOString() : date.toISOString();
}

function levelOf(number: unknown, text: unknown): string {
  const n = typeof number === 'number' ? number : typeof number === 'string' ? SEVERITY_NUMBERS[number] : undefined;
  if (n !== undefined && n >= 1 && n <= 24) return SEVERITIES[Math.floor((n - 1) / 4)];
  return (typeof text === 'string' && SEVERITY_TEXTS[text.toLowerCase()]) || 'info';
}

/** OTLP/JSON may give the enum by name (SEVERITY_NUMBER_WARN2). */
const SEVERITY_NUMBERS: Record<string, number> = Object.fromEntries(
  SEVERITIES.flatMap((name, i) => [1, 2, 3, 4].map((k) => [`SEVERITY_NUMBER_${name === 'warn' ? 'WARN' : name.toUpperCase()}${k === 1 ? '' : k}`, i * 4 + k])),
);
