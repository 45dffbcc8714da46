import { describe, expect, it } from "vitest";
import { createLogger, spanLogger } from "../../src/platform/logger.js";
import { startTrace } from "../../src/platform/trace-context.js";
import { captureLogs } from "./log-capture.js";

const HEADER = "00-4bf92f3577b34da6a3ce929b0e0e4736-00f067aa0ba902b7-01";

describe("createLogger", () => {
  it("writes one JSON line with the fields msx logs parses, trace ids included from a span logger", () => {
    const logs = captureLogs();
    const logger = createLogger({ service: "orders", level: "info", destination: logs.stream });
    const trace = startTrace(HEADER);

    spanLogger(logger, trace).child({ component: "test" }).info({ order: 1 }, "order placed");

    const [line] = logs.records();
    expect(line).toMatchObject({
      level: "info",
      service: "orders",
      msg: "order placed",
      trace_id: trace.traceId,
      span_id: trace.spanId,
      parent_span_id: "00f067aa0ba902b7",
      order: 1,
      component: "test",
    });
    expect(new Date(String(line.time)).toISOString()).toBe(line.time);
  });

  it("marks the root span of a trace with a null parent", () => {
    const logs = captureLogs();
    const logger = createLogger({ service: "orders", level: "info", destination: logs.stream });
    spanLogger(logger, startTrace()).info("root");
    expect(logs.records()[0]).toHaveProperty("parent_span_id", null);
  });

  it("keeps each span's ids apart, and leaves the service logger without any", () => {
    const logs = captureLogs();
    const logger = createLogger({ service: "orders", level: "info", destination: logs.stream });
    const first = startTrace(HEADER);
    const second = startTrace();
    spanLogger(logger, first).info("first");
    spanLogger(logger, second).info("second");
    logger.info("service line");
    const [a, b, c] = logs.records();
    expect(a).toMatchObject({ trace_id: first.traceId, span_id: first.spanId });
    expect(b).toMatchObject({ trace_id: second.traceId, span_id: second.spanId });
    expect(c).not.toHaveProperty("trace_id");
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
