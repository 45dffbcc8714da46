import { pino, type DestinationStream, type Logger } from "pino";
import { traceFields, type TraceContext } from "./trace-context.js";

export type { Logger } from "pino";

export interface LoggerOptions {
  service: string;
  level: string;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  destination?: DestinationStream;
}

/**
 * One JSON object per line, with the field names `msx logs` parses:
 * level (label), time (ISO-8601), service, msg. Lines about a request come
 * from its span logger (below), which adds trace_id, span_id, parent_span_id.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      messageKey: "msg",
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    // Synchronous, so the last lines before an exit (shutdown, fatal error) are not lost.
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * The logger for one span (a call, a request, a message): every line carries
 * its trace_id, span_id and parent_span_id. pino serializes these once, here,
 * not on every line.
 */
export function spanLogger(logger: Logger, trace: TraceContext): Logger {
  return logger.child(traceFields(trace));
}
