import { pino, type DestinationStream, type Logger } from "pino";
import { currentTrace } from "./trace-context.js";

export type { Logger } from "pino";

export interface LoggerOptions {
  service: string;
  level: string;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  destination?: DestinationStream;
}

/**
 * One JSON object per line, with the field names `msx logs` parses:
 * level (label), time (ISO-8601), service, msg, and on every line written
 * inside a trace: trace_id, span_id, parent_span_id (null for a trace's root).
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      messageKey: "msg",
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: traceFields,
    },
    // Synchronous, so the last lines before an exit (shutdown, fatal error) are not lost.
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

// Read at write time, so a logger made at startup still tags each request's lines.
function traceFields(): Record<string, string | null> {
  const trace = currentTrace();
  if (!trace) return {};
  return { trace_id: trace.traceId, span_id: trace.spanId, parent_span_id: trace.parentSpanId ?? null };
}
