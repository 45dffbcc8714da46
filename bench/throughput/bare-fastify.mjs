// The same work as a generated REST service's POST/GET, with nothing of msx:
// fastify, JSON-schema validation of the body or id and of the answer, an in-memory map,
// pino lines to /dev/null (one per request, one more per create).
// Usage: SERVICE_DIR=<a generated REST service> PORT=... node bare-fastify.mjs
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(join(process.env.SERVICE_DIR, "package.json"));
const Fastify = require("fastify");
const { pino } = require("pino");

// The same line format msx logs reads (ISO time, level label, msg, service) - but no trace
// fields: trace context (AsyncLocalStorage, traceparent in and out) is what the platform adds.
const format = { messageKey: "msg", base: { service: "orders" }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } };
const logger = pino({ level: "info", ...format }, pino.destination({ dest: "/dev/null", sync: true }));
const app = Fastify({ loggerInstance: logger, disableRequestLogging: true });
const items = new Map();
const item = { type: "object", properties: { id: { type: "string" }, name: { type: "string" }, description: { type: "string" }, createdAt: { type: "string" }, updatedAt: { type: "string" } } };
const params = { type: "object", required: ["id"], properties: { id: { type: "string", format: "uuid" } } };
const body = { type: "object", required: ["name"], properties: { name: { type: "string", minLength: 1, maxLength: 200 }, description: { type: "string", maxLength: 2000 } }, additionalProperties: false };

app.addHook("onResponse", async (request, reply) => {
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
