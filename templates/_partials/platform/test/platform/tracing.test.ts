import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../src/platform/logger.js";
import { startOutgoing, startTrace, SpanKind } from "../../src/platform/trace-context.js";
import { startTracing, type Tracing } from "../../src/platform/tracing.js";
import { captureLogs } from "./log-capture.js";

const TRACEPARENT = "00-4bf92f3577b34da6a3ce929b0e0e4736-00f067aa0ba902b7-01";

interface Receiver {
  url: string;
  /** The JSON exports, parsed. */
  bodies: unknown[];
  /** Every export as it came: its content-type and bytes. */
  raw: { type: string | undefined; body: Buffer }[];
  close(): Promise<void>;
}

/**
 * A real OTLP/HTTP receiver on 127.0.0.1: reads the (chunked) body of each POST /v1/traces, JSON or protobuf;
 * `answerAfterMs`: a slow one, answering each export that long after it came.
 */
async function startReceiver(answerAfterMs = 0): Promise<Receiver> {
  const bodies: unknown[] = [];
  const raw: Receiver["raw"] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const type = req.headers["content-type"];
      const body = Buffer.concat(chunks);
      if (req.url === "/v1/traces") raw.push({ type, body });
      if (req.url === "/v1/traces" && type === "application/json") bodies.push(JSON.parse(body.toString("utf8")));
      // An empty answer: an ExportTraceServiceResponse with nothing in it, in either encoding.
      const answer = () => res.writeHead(200, { "content-type": type ?? "application/json" }).end(type === "application/json" ? "{}" : "");
      if (answerAfterMs > 0) setTimeout(answer, answerAfterMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, bodies, raw, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let tracing: Tracing | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  await tracing?.shutdown();
  await receiver?.close();
  tracing = receiver = undefined;
  vi.unstubAllEnvs();
});

const setUp = async () => {
  const logs = captureLogs();
  tracing = startTracing({ serviceName: "orders", logger: createLogger({ service: "orders", level: "info", destination: logs.stream }) });
  await tracing.ready;
  return { logs, tracing };
};

describe("startTracing", () => {
  it("runs no SDK without an endpoint: spans carry ids for the logs and headers, and record nothing", async () => {
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "");
    vi.stubEnv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "");
    expect((await setUp()).tracing.mode).toBe("ids-only");
    const hop = startTrace(TRACEPARENT);
    expect(hop.span.isRecording()).toBe(false);
    expect(hop).toMatchObject({ traceId: "4bf92f3577b34da6a3ce929b0e0e4736", parentSpanId: "00f067aa0ba902b7", flags: "01" });
    const outgoing = startOutgoing(hop, { name: "GET", kind: SpanKind.CLIENT });
    expect(outgoing?.headers.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929b0e0e4736-[0-9a-f]{16}-01$/);
    expect(outgoing?.span.spanContext().spanId).not.toBe(hop.spanId);
  });

  it("runs no SDK when OTEL_SDK_DISABLED=true, even with an endpoint", async () => {
    receiver = await startReceiver();
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.url);
    vi.stubEnv("OTEL_SDK_DISABLED", "true");
    expect((await setUp()).tracing.mode).toBe("ids-only");
    startTrace().span.end();
    await tracing?.shutdown();
    expect(receiver.bodies).toEqual([]);
  });

  it("exports spans as OTLP/HTTP protobuf by default, flushed on shutdown", async () => {
    receiver = await startReceiver();
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.url);
    expect((await setUp()).tracing.mode).toBe("otlp");
    const hop = startTrace(TRACEPARENT, { name: "GET /orders", kind: SpanKind.SERVER, attributes: { "http.route": "/orders" } });
    hop.span.end();
    await tracing?.shutdown(5000);
    expect(receiver.raw.map((r) => r.type)).toEqual(["application/x-protobuf"]);
    // Ids travel as raw bytes, strings as UTF-8: the span's own id, its parent's, its name and the service's.
    const body = receiver.raw[0].body;
    for (const part of [Buffer.from(hop.spanId, "hex"), Buffer.from("00f067aa0ba902b7", "hex"), Buffer.from("GET /orders"), Buffer.from("orders")]) {
      expect(body.includes(part)).toBe(true);
    }
  });

  it("exports spans as OTLP/HTTP JSON to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces when OTEL_EXPORTER_OTLP_PROTOCOL=http/json", async () => {
    receiver = await startReceiver();
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.url);
    vi.stubEnv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json");
    expect((await setUp()).tracing.mode).toBe("otlp");
    const hop = startTrace(TRACEPARENT, { name: "GET /orders", kind: SpanKind.SERVER, attributes: { "http.route": "/orders" } });
    hop.span.end();
    await tracing?.shutdown(5000);
    const exported = JSON.stringify(receiver.bodies);
    expect(exported).toContain('"key":"service.name","value":{"stringValue":"orders"}');
    expect(exported).toContain(`"spanId":"${hop.spanId}"`);
    expect(exported).toContain('"parentSpanId":"00f067aa0ba902b7"');
    expect(exported).toContain('"name":"GET /orders"');
  });

  it("sends batches of 128 spans, or of the size the service asks for, or of OTEL_BSP_MAX_EXPORT_BATCH_SIZE when it is set", async () => {
    /** The number of spans in each export the receiver got, smallest first. */
    const batchSizes = (bodies: unknown[]) =>
      bodies
        .map((body) => (body as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] }).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)).length)
        .sort((a, b) => a - b);
    // [the env's size, the size the service asks for (a consumer: 512), the exports' sizes]
    const cases = [
      [undefined, undefined, [44, 128, 128]],
      [undefined, 512, [300]],
      ["200", undefined, [100, 200]],
      ["200", 512, [100, 200]],
    ] as const;
    for (const [setting, exportBatchSize, expected] of cases) {
      receiver = await startReceiver();
      vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.url);
      vi.stubEnv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json");
      vi.stubEnv("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", setting ?? "");
      const logs = captureLogs();
      tracing = startTracing({ serviceName: "orders", logger: createLogger({ service: "orders", level: "info", destination: logs.stream }), exportBatchSize });
      await tracing.ready;
      for (let i = 0; i < 300; i += 1) startTrace().span.end();
      await tracing?.shutdown(5000);
      expect(batchSizes(receiver.bodies)).toEqual(expected);
      await receiver.close();
      tracing = receiver = undefined;
    }
  });

  it("takes OTEL_SERVICE_NAME over the service's name, and samples by OTEL_TRACES_SAMPLER", async () => {
    receiver = await startReceiver();
    vi.stubEnv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", `${receiver.url}/v1/traces`);
    vi.stubEnv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json");
    vi.stubEnv("OTEL_SERVICE_NAME", "orders-renamed");
    vi.stubEnv("OTEL_TRACES_SAMPLER", "always_off");
    await setUp();
    const hop = startTrace();
    expect(hop.span.isRecording()).toBe(false);
    expect(hop.spanId).toMatch(/^[0-9a-f]{16}$/);
    hop.span.end();
    vi.stubEnv("OTEL_TRACES_SAMPLER", "always_on");
    await tracing?.shutdown(5000);
    await setUp();
    startTrace().span.end();
    await tracing?.shutdown(5000);
    expect(receiver.bodies).toHaveLength(1);
    expect(JSON.stringify(receiver.bodies)).toContain('"stringValue":"orders-renamed"');
  });

  it("counts failed exports and says so once, never throwing, when the receiver is away", async () => {
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", `http://127.0.0.1:${await closedPort()}`);
    vi.stubEnv("OTEL_BSP_SCHEDULE_DELAY", "10");
    // The exporter retries a refused connection within its timeout: keep each export short.
    vi.stubEnv("OTEL_EXPORTER_OTLP_TIMEOUT", "300");
    const { logs } = await setUp();
    for (let i = 0; i < 2; i += 1) {
      startTrace().span.end();
      await vi.waitFor(() => expect(tracing?.failedExports).toBe(i + 1), { timeout: 10_000, interval: 20 });
    }
    const warnings = logs.records().filter((line) => line.level === "warn");
    expect(warnings).toHaveLength(1);
    expect(warnings[0].msg).toMatch(/span export failed/);
  }, 30_000);

  it("counts the spans a full queue drops and says so once, when the receiver is slower than the service", async () => {
    receiver = await startReceiver(300);
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.url);
    vi.stubEnv("OTEL_BSP_MAX_QUEUE_SIZE", "4");
    vi.stubEnv("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "4");
    const { logs } = await setUp();
    // Four spans make a batch, sent at once; while it waits for its answer the queue takes four more and drops six.
    for (let i = 0; i < 14; i += 1) startTrace().span.end();
    // The first batch answered, the four queued go; the next span finds room, and the processor tells of the six.
    await vi.waitFor(() => expect(receiver?.raw).toHaveLength(2), { timeout: 10_000, interval: 20 });
    expect(tracing?.droppedSpans).toBe(0);
    startTrace().span.end();
    expect(tracing?.droppedSpans).toBe(6);
    const warnings = logs.records().filter((line) => line.level === "warn");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ spans: 6, msg: expect.stringMatching(/span queue full/) });
    expect(tracing?.failedExports).toBe(0);
  }, 30_000);
});
