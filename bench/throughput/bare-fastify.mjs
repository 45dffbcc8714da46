// The same work as a generated REST service's POST/GET, with nothing of msx:
// fastify, JSON-schema validation of the body or id and of the answer, an in-memory map,
// pino lines to /dev/null (one per request, one more per create).
// BARE_SPANS=1: one server span per request from the OpenTelemetry SDK as well (bare-otel.mjs).
// Usage: SERVICE_DIR=<a generated REST service> PORT=... node bare-fastify.mjs
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ERROR, SERVER, bareTracer } from "./bare-otel.mjs";

const require = createRequire(join(process.env.SERVICE_DIR, "package.json"));
const Fastify = require("fastify");
const { pino } = require("pino");

// The same line format msx logs reads (ISO time, level label, msg, service) - but no trace
// fields: trace context (AsyncLocalStorage, traceparent in and out) is what the platform adds.
const format = { messageKey: "msg", base: { service: "orders" }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } };
const logger = pino({ level: "info", ...format }, pino.destination({ dest: "/dev/null", sync: true }));
const app = Fastify({ loggerInstance: logger, disableRequestLogging: true });
const tracer = bareTracer(require, "orders");
const items = new Map();
const item = { type: "object", properties: { id: { type: "string" }, name: { type: "string" }, description: { type: "string" }, createdAt: { type: "string" }, updatedAt: { type: "string" } } };
const params = { type: "object", required: ["id"], properties: { id: { type: "string", format: "uuid" } } };
const body = { type: "object", required: ["name"], properties: { name: { type: "string", minLength: 1, maxLength: 200 }, description: { type: "string", maxLength: 2000 } }, additionalProperties: false };

if (tracer) {
  app.decorateRequest("span", null);
  app.addHook("onRequest", async (request) => {
    const query = request.url.indexOf("?");
    const attributes = { "http.request.method": request.method, "url.path": query < 0 ? request.url : request.url.slice(0, query) };
    request.span = tracer.startSpan(request.method, { kind: SERVER, attributes });
  });
}
app.addHook("onResponse", async (request, reply) => {
  if (request.span) {
    const route = request.routeOptions.url;
    request.span.updateName(`${request.method} ${route}`);
    request.span.setAttribute("http.route", route);
    request.span.setAttribute("http.response.status_code", reply.statusCode);
    if (reply.statusCode >= 500) request.span.setStatus({ code: ERROR });
    request.span.end();
  }
  request.log.info({ method: request.method, url: request.url, status: reply.statusCode, duration_ms: reply.elapsedTime }, "request completed");
});
app.post("/orders", { schema: { body, response: { 201: item } } }, async (request, reply) => {
  const now = new Date().toISOString();
  const item = { id: randomUUID(), ...request.body, createdAt: now, updatedAt: now };
  items.set(item.id, item);
  request.log.info({ id: item.id }, "order created");
  return reply.code(201).header("location", `/orders/${item.id}`).send(item);
});
app.get("/orders/:id", { schema: { params, response: { 200: item } } }, async (request, reply) => items.get(request.params.id) ?? reply.code(404).send({ statusCode: 404 }));
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
