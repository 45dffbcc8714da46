// The baseline: a bare @fastify/http-proxy doing only the proxying (no auth, limits, trace,
// breaker or access log), to UPSTREAM on PORT. Usage: TOOLS_DIR=... PORT=... UPSTREAM=... node gateway-bare-proxy.mjs
// BARE_SPANS=1 (with OTEL_FROM, a folder whose node_modules has the OpenTelemetry SDK: the
// generated gateway's): a server span and a client span per request from the SDK alone
// (throughput/bare-otel.mjs), the client span sent upstream as traceparent - the SDK's part of
// what the gateway does, and nothing else of it.
import { createRequire } from "node:module";
import { join } from "node:path";
import { CLIENT, ERROR, SERVER, bareTracer } from "./throughput/bare-otel.mjs";

const require = createRequire(join(process.env.TOOLS_DIR, "package.json"));
const Fastify = require("fastify");
const proxy = require("@fastify/http-proxy");
const app = Fastify({ logger: false });
const otel = process.env.BARE_SPANS === "1" ? createRequire(join(process.env.OTEL_FROM, "package.json")) : undefined;
const tracer = otel && bareTracer(otel, "bare-proxy");
let replyOptions;
if (tracer) {
  const { ROOT_CONTEXT, trace } = otel("@opentelemetry/api");
  app.decorateRequest("spans", null);
  app.addHook("onRequest", async (request) => {
    const query = request.url.indexOf("?");
    const server = tracer.startSpan(request.method, { kind: SERVER, attributes: { "http.request.method": request.method, "url.path": query < 0 ? request.url : request.url.slice(0, query) } });
    const client = tracer.startSpan(request.method, { kind: CLIENT, attributes: { "http.request.method": request.method, "url.full": `${process.env.UPSTREAM}${request.url}` } }, trace.setSpan(ROOT_CONTEXT, server));
    request.spans = { server, client };
  });
  app.addHook("onResponse", async (request, reply) => {
    const { server, client } = request.spans;
    for (const span of [client, server]) {
      span.setAttribute("http.response.status_code", reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: ERROR });
    }
    server.setAttribute("http.route", "/orders/*");
    client.end();
    server.end();
  });
  replyOptions = {
    rewriteRequestHeaders: (request, headers) => {
      const own = request.spans.client.spanContext();
      return { ...headers, traceparent: `00-${own.traceId}-${own.spanId}-01` };
    },
  };
}
await app.register(proxy, { upstream: process.env.UPSTREAM, prefix: "/orders", rewritePrefix: "/orders", ...(replyOptions ? { replyOptions } : {}) });
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
