import { describe, expect, it } from "vitest";
import {
  currentTrace,
  formatTraceparent,
  outgoingTraceparent,
  parseTraceparent,
  runWithTrace,
  startTrace,
} from "../../src/platform/trace-context.js";

const TRACE_ID = "4bf92f3577b34da6a3ce929b0e0e4736";
const PARENT_ID = "00f067aa0ba902b7";
const HEADER = `00-${TRACE_ID}-${PARENT_ID}-01`;

describe("parseTraceparent", () => {
  it("reads the four fields of a valid header", () => {
    expect(parseTraceparent(HEADER)).toEqual({ version: "00", traceId: TRACE_ID, parentId: PARENT_ID, flags: "01" });
  });

  it.each([
    ["missing", undefined],
    ["garbage", "hello"],
    ["short trace id", `00-${TRACE_ID.slice(1)}-${PARENT_ID}-01`],
    ["all-zero trace id", `00-${"0".repeat(32)}-${PARENT_ID}-01`],
    ["all-zero parent id", `00-${TRACE_ID}-${"0".repeat(16)}-01`],
    ["forbidden version ff", `ff-${TRACE_ID}-${PARENT_ID}-01`],
    ["extra field on version 00", `${HEADER}-extra`],
  ])("ignores a %s header", (_case, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it("accepts a later version with extra fields", () => {
    expect(parseTraceparent(`01-${TRACE_ID}-${PARENT_ID}-01-future`)?.traceId).toBe(TRACE_ID);
  });
});

describe("startTrace", () => {
  it("continues the caller's trace in a new span whose parent is the caller's span", () => {
    const trace = startTrace(HEADER);
    expect(trace.traceId).toBe(TRACE_ID);
    expect(trace.parentSpanId).toBe(PARENT_ID);
    expect(trace.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(trace.spanId).not.toBe(PARENT_ID);
    expect(trace.flags).toBe("01");
  });

  it("starts a new sampled trace without a parent when the header is absent or invalid", () => {
    for (const header of [undefined, "nonsense"]) {
      const trace = startTrace(header);
      expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(trace.parentSpanId).toBeUndefined();
      expect(formatTraceparent(trace)).toBe(`00-${trace.traceId}-${trace.spanId}-01`);
    }
  });
});

describe("runWithTrace", () => {
  it("makes the trace current across awaits, and outgoing calls name this span as parent", async () => {
    const trace = startTrace(HEADER);
    expect(currentTrace()).toBeUndefined();
    expect(outgoingTraceparent()).toBeUndefined();
    await runWithTrace(trace, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      expect(currentTrace()).toBe(trace);
      expect(outgoingTraceparent()).toBe(`00-${TRACE_ID}-${trace.spanId}-01`);
    });
  });
});
