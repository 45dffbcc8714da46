// The same work as a generated consumer's handler, with nothing of msx: amqplib, one durable
// queue, prefetch, JSON.parse, one pino line per message to /dev/null, manual ack.
// Usage: SERVICE_DIR=<a generated consumer> AMQP_URL=... QUEUE=... PREFETCH=10 node bare-consumer.mjs
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(join(process.env.SERVICE_DIR, "package.json"));
const amqp = require("amqplib");
const { pino } = require("pino");

const format = { messageKey: "msg", base: { service: "bare" }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } };
const logger = pino({ level: "info", ...format }, pino.destination({ dest: "/dev/null", sync: true }));
const connection = await amqp.connect(process.env.AMQP_URL);
const channel = await connection.createChannel();
await channel.assertQueue(process.env.QUEUE, { durable: true });
await channel.prefetch(Number(process.env.PREFETCH ?? 10));
await channel.consume(process.env.QUEUE, (message) => {
  const payload = JSON.parse(message.content.toString("utf8"));
  logger.info({ event: "order.placed", id: payload.id, message_id: message.properties.messageId }, "handled order.placed");
  channel.ack(message);
});
process.on("SIGTERM", () => connection.close().finally(() => process.exit(0)));
