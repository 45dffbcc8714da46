import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { createLogger } from "../../src/platform/logger.js";
import { startTracing } from "../../src/platform/tracing.js";

export interface SpanCapture {
  /** Every span ended so far, in the order they ended. */
  spans(): ReadableSpan[];
  /** The one ended span with this name; fails the test when there is not exactly one. */
  one(name: string): ReadableSpan;
  reset(): void;
}

/**
 * Routes this test file's spans (startTracing sets the process's tracer) to an
 * in-memory exporter, each exported as it ends. Await it at the top of the file.
 */
export async function captureSpans(): Promise<SpanCapture> {
  const exporter = new InMemorySpanExporter();
  await startTracing({ serviceName: "test", logger: createLogger({ service: "test", level: "silent" }), processor: new SimpleSpanProcessor(exporter) }).ready;
  const spans = () => exporter.getFinishedSpans();
  return {
    spans,
    one: (name) => {
      const found = spans().filter((span) => span.name === name);
      if (found.length !== 1) throw new Error(`${found.length} spans named "${name}" among: ${spans().map((s) => s.name).join(", ")}`);
      return found[0];
    },
    reset: () => exporter.reset(),
  };
}

/** The span id of a span's parent, if it has one. */
export const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
