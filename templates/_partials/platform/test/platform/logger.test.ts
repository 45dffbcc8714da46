import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/platform/logger.js";
import { runWithTrace, startTrace } from "../../src/platform/trace-context.js";
import { captureLogs } from "./log-capture.js";

const HEADER = "00-4bf92f3577b34da6a3ce929b0e0e4736-00f067aa0ba902b7-01";

describe("createLogger", () => {
  it("writes one JSON line with the fields msx logs parses, trace ids included inside a trace", () => {
    const logs = captureLogs();
    const logger = createLogger({ service: "orders", level: "info", destination: logs.stream });
    const trace = startTrace(HEADER);

    runWithTrace(trace, () => logger.child({ component: "test" }).info({ order: 1 }, "order placed"));

    const [line] = logs.records();
    expect(line).toMatchObject({
      level: "info",
      service: "orders",
      msg: "order placed",
      trace_id: trace.traceId,
      span_id: trace.spanId,
      parent_span_id: "00f067aa0ba902b7",
      order: 1,
    });
    expect(new Date(String(line.time)).toISOString()).toBe(line.time);
  });

  it("marks the root span of a trace with a null parent", () => {
    const logs = captureLogs();
    const logger = createLogger({ service: "orders", level: "info", destination: logs.stream });
    runWithTrace(startTrace(), () => logger.info("root"));
    expect(logs.records()[0]).toHaveProperty("parent_span_id", null);
  });

  it("keeps the trace a line names itself, outside a trace or inside another one", () => {
    const logs = captureLogs();
    const logger = createLogger({ service: "orders", level: "info", destination: logs.stream });
    const named = startTrace(HEADER);
    const fields = { trace_id: named.traceId, span_id: named.spanId, parent_span_id: named.parentSpanId ?? null };
    logger.info({ ...fields, status: 200 }, "request completed");
    runWithTrace(startTrace(), () => logger.info(fields, "late line"));
    for (const line of logs.records()) {
      expect(line).toMatchObject({ trace_id: named.traceId, span_id: named.spanId, parent_span_id: "00f067aa0ba902b7" });
    }
    expect(logs.records()[0]).toHaveProperty("status", 200);
  });

  it("writes no trace fields outside a trace, and nothing below its level", () => {
    const logs = captureLogs();
    const logger = createLogger({ service: "orders", level: "info", destination: logs.stream });
    logger.debug("hidden");
    logger.warn("startup");
    const records = logs.records();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ level: "warn", msg: "startup" });
    expect(records[0]).not.toHaveProperty("trace_id");
  });
});
