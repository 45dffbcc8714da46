import { describe, expect, it } from "vitest";
import { formatTraceparent, outgoingTraceparent, parseTraceparent, startTrace, traceFields } from "../../src/platform/trace-context.js";

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

describe("outgoingTraceparent and traceFields", () => {
  it("name this span as the parent of outgoing calls, and nothing outside a trace", () => {
    const trace = startTrace(HEADER);
    expect(outgoingTraceparent(trace)).toBe(`00-${TRACE_ID}-${trace.spanId}-01`);
    expect(outgoingTraceparent(undefined)).toBeUndefined();
  });

  it("give the log fields of a span, with a null parent for a trace's root", () => {
    const child = startTrace(HEADER);
    expect(traceFields(child)).toEqual({ trace_id: TRACE_ID, span_id: child.spanId, parent_span_id: PARENT_ID });
    const root = startTrace();
    expect(traceFields(root)).toEqual({ trace_id: root.traceId, span_id: root.spanId, parent_span_id: null });
  });
});
