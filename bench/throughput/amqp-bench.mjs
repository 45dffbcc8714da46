// Broker side of bench/consumer-throughput.sh, with the generated service's amqplib.
//   fill QUEUE COUNT         declare QUEUE (durable) and put COUNT valid order.placed messages in it
//   drain QUEUE PID          wait until PID's consumer takes the first message, then until QUEUE is empty;
//                            prints "<msgs/s> <msgs per CPU-second of PID>"
//   delete QUEUE... --exchange NAME   delete the queues and the exchange
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(join(process.env.SERVICE_DIR, "package.json"));
const amqp = require("amqplib");
const connection = await amqp.connect(process.env.AMQP_URL);
const channel = await connection.createConfirmChannel();
const [command, ...args] = process.argv.slice(2);
const ticks = (pid) => readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ").slice(11, 13).map(Number).reduce((a, b) => a + b, 0);
const CLK_TCK = Number(process.env.CLK_TCK ?? 100);

if (command === "fill") {
  const [queue, count] = [args[0], Number(args[1])];
  await channel.assertQueue(queue, { durable: true });
  const traceparent = "00-4bf92f3577b34da6a3ce929b0e0e4736-00f067aa0ba902b7-01";
  for (let i = 0; i < count; i += 1) {
    const payload = { id: randomUUID(), occurredAt: new Date().toISOString(), data: { name: `order ${i}` } };
    const properties = { persistent: true, messageId: randomUUID(), contentType: "application/json", headers: { traceparent } };
    if (!channel.sendToQueue(queue, Buffer.from(JSON.stringify(payload)), properties)) await new Promise((resolve) => channel.once("drain", resolve));
  }
  await channel.waitForConfirms();
} else if (command === "drain") {
  const [queue, pid] = args;
  const start = (await channel.checkQueue(queue)).messageCount;
  let first;
  for (let i = 0; i < 6000; i += 1) {
    const { messageCount } = await channel.checkQueue(queue);
    if (!first && messageCount < start) first = { at: performance.now(), left: messageCount, cpu: ticks(pid) };
    if (first && messageCount === 0) {
      const seconds = (performance.now() - first.at) / 1000;
      const cpuSeconds = Math.max(ticks(pid) - first.cpu, 1) / CLK_TCK;
      console.log(`${Math.round(first.left / seconds)} ${Math.round(first.left / cpuSeconds)}`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
} else if (command === "delete") {
  const exchange = args.indexOf("--exchange");
  for (const queue of args.slice(0, exchange < 0 ? args.length : exchange)) await channel.deleteQueue(queue);
  if (exchange >= 0) await channel.deleteExchange(args[exchange + 1]);
}
await connection.close();
