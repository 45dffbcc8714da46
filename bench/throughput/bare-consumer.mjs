// The same work as a generated consumer's handler, with nothing of msx: amqplib, one durable
// queue, prefetch, JSON.parse, a check against the event's contract (the service's
// contracts/events/order.placed.json, compiled once by ajv with ajv-formats, as the generated
// one does), manual ack, and the same two pino lines per message to /dev/null
// as the generated one (the handler's, and the per-message completion line, without trace
// fields) - as the bare fastify and grpc-js servers write their per-request completion line.
// BARE_SPANS=1: one consumer span per message from the OpenTelemetry SDK as well (bare-otel.mjs).
// Usage: SERVICE_DIR=<a generated consumer> AMQP_URL=... QUEUE=... PREFETCH=10 node bare-consumer.mjs
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONSUMER, bareTracer } from "./bare-otel.mjs";

const require = createRequire(join(process.env.SERVICE_DIR, "package.json"));
const amqp = require("amqplib");
const { pino } = require("pino");
const { Ajv2020 } = require("ajv/dist/2020.js");
const addFormats = require("ajv-formats");

const schema = JSON.parse(readFileSync(join(process.env.SERVICE_DIR, "contracts/events/order.placed.json"), "utf8"));
const validate = addFormats(new Ajv2020({ allErrors: true })).compile(schema);

const format = { messageKey: "msg", base: { service: "bare" }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } };
const logger = pino({ level: "info", ...format }, pino.destination({ dest: "/dev/null", sync: true }));
const tracer = bareTracer(require, "bare");
const connection = await amqp.connect(process.env.AMQP_URL);
const channel = await connection.createChannel();
await channel.assertQueue(process.env.QUEUE, { durable: true });
await channel.prefetch(Number(process.env.PREFETCH ?? 10));
await channel.consume(process.env.QUEUE, (message) => {
  const started = performance.now();
  const attributes = { "messaging.system": "rabbitmq", "messaging.operation.type": "process", "messaging.destination.name": message.fields.exchange, "messaging.rabbitmq.destination.routing_key": message.fields.routingKey, "messaging.message.id": message.properties.messageId };
  const span = tracer?.startSpan("process order.placed", { kind: CONSUMER, attributes });
  const payload = JSON.parse(message.content.toString("utf8"));
  if (!validate(payload)) throw new Error(`order.placed payload does not match its contract: ${JSON.stringify(validate.errors)}`); // the bench sends only valid ones
  logger.info({ event: "order.placed", id: payload.id }, "handled order.placed");
  channel.ack(message);
  const duration_ms = Math.round((performance.now() - started) * 100) / 100;
  logger.info({ event: "order.placed", outcome: "handled", attempt: 1, message_id: message.properties.messageId, duration_ms }, "message handled");
  span?.end();
});
// With spans, bare-otel.mjs's SIGTERM handler flushes them (and exits) once the connection is closed.
if (!tracer) process.on("SIGTERM", () => connection.close().finally(() => process.exit(0)));
else process.once("SIGTERM", () => void connection.close().catch(() => undefined));
