// Broker side of bench/consumer-throughput.sh, with the generated service's amqplib.
//   run LABEL GEN_QUEUE BARE_QUEUE [--watch QUEUE...]
//       GEN_PID and BARE_PID (env) consume GEN_QUEUE and BARE_QUEUE; both are loaded at the same
//       moments (see side-by-side.mjs): per round, with both consumers stopped (SIGSTOP), each
//       queue is topped up to a backlog (at least COUNT messages, more once the rates are known,
//       so neither runs dry within the round), then both are continued (SIGCONT) together and,
//       over DURATION s, each one's messages/s (the drop of its queue's depth: taken and acked)
//       and CPU µs per message are measured; then both are stopped again. A round in which a
//       queue ran dry is done again with a bigger backlog. Messages that land in the --watch
//       queues (the generated consumer's retry and dead-letter queues) count as failed.
//   delete QUEUE... --exchange NAME   delete the queues and the exchange
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(join(process.env.SERVICE_DIR, "package.json"));
const amqp = require("amqplib");
const connection = await amqp.connect(process.env.AMQP_URL);
const channel = await connection.createConfirmChannel();
const [command, ...args] = process.argv.slice(2);

// publish({ QUEUE: COUNT, ... }): COUNT valid order.placed messages into each QUEUE, persistent,
// alternating between the queues so that none of them is written later than the others
// (confirmed by waitForConfirms).
const publish = async (counts) => {
  const traceparent = "00-4bf92f3577b34da6a3ce929b0e0e4736-00f067aa0ba902b7-01";
  const most = Math.max(0, ...Object.values(counts));
  for (let i = 0; i < most; i += 1) {
    for (const [queue, count] of Object.entries(counts)) {
      if (i >= count) continue;
      const payload = { id: randomUUID(), occurredAt: new Date().toISOString(), data: { name: `order ${i}` } };
      const properties = { persistent: true, messageId: randomUUID(), contentType: "application/json", headers: { traceparent } };
      if (!channel.sendToQueue(queue, Buffer.from(JSON.stringify(payload)), properties)) await new Promise((resolve) => channel.once("drain", resolve));
    }
  }
};
const depth = async (queue) => (await channel.checkQueue(queue)).messageCount;

// QUEUE's consumer count, or -1 if it is not declared; on a channel of its own, since a check
// of a queue not declared closes the channel it ran on.
const consumersOf = async (queue) => {
  const probe = await connection.createChannel();
  probe.on("error", () => {});
  const consumers = await probe.checkQueue(queue).then(({ consumerCount }) => consumerCount, () => -1);
  await probe.close().catch(() => {});
  return consumers;
};
// Waits (up to 15 s) until QUEUE exists and has a consumer.
const waitForConsumer = async (queue) => {
  for (let i = 0; i < 150; i += 1) {
    if ((await consumersOf(queue)) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no consumer on ${queue} after 15 s`);
};

if (command === "run") {
  const { DURATION, pids, sideBySide, sleep, startWindow } = await import("./side-by-side.mjs");
  const [label, generatedQueue, bareQueue, ...rest] = args;
  const queues = { generated: generatedQueue, bare: bareQueue };
  const sides = ["generated", "bare"];
  const depths = async () => Object.fromEntries(await Promise.all(sides.map(async (side) => [side, await depth(queues[side])])));
  const signal = (name) => sides.forEach((side) => process.kill(pids[side], name));
  await waitForConsumer(queues.generated);
  await waitForConsumer(queues.bare);
  const watched = [];
  for (const queue of rest[0] === "--watch" ? rest.slice(1) : []) if ((await consumersOf(queue)) >= 0) watched.push(queue); // the declared ones (once the consumers are up)
  const watchedDepth = async () => (await Promise.all(watched.map(depth))).reduce((a, b) => a + b, 0);
  // Never leave a consumer stopped behind (the shell's cleanup also continues them).
  process.on("exit", () => sides.forEach((side) => { try { process.kill(pids[side], "SIGCONT"); } catch {} }));
  for (const name of ["SIGINT", "SIGTERM"]) process.on(name, () => process.exit(1));
  signal("SIGSTOP");
  let backlog = Number(process.env.COUNT ?? 20000);

  const round = async () => {
    for (let attempt = 1; ; attempt += 1) {
      const before = await depths();
      await publish(Object.fromEntries(sides.map((side) => [queues[side], Math.max(0, backlog - before[side])])));
      await channel.waitForConfirms();
      const failedBefore = await watchedDepth();
      signal("SIGCONT");
      await sleep(100); // both taking deliveries again
      const start = await depths();
      const window = startWindow();
      await sleep(DURATION * 1000);
      const after = await depths();
      const measured = window.end();
      signal("SIGSTOP");
      const done = Object.fromEntries(sides.map((side) => [side, start[side] - after[side]]));
      const dry = sides.filter((side) => after[side] === 0);
      // Next rounds: room for 1.5 times the fastest side's share of a round.
      backlog = Math.max(backlog, Math.ceil(1.5 * Math.max(...Object.values(done))) + 100);
      if (dry.length > 0 && attempt < 3) {
        backlog *= 2;
        continue;
      }
      const failed = Math.max(0, (await watchedDepth()) - failedBefore);
      return {
        ...measured,
        generated: { done: done.generated, failed },
        bare: { done: done.bare, failed: 0 },
        note: dry.length > 0 ? `${dry.join(" and ")} ran dry: raise COUNT` : undefined,
      };
    }
  };
  await sideBySide({ label, unit: "msg", goal: Number(process.env.GOAL ?? 80), round });
  signal("SIGCONT");
} else if (command === "delete") {
  const exchange = args.indexOf("--exchange");
  for (const queue of args.slice(0, exchange < 0 ? args.length : exchange)) await channel.deleteQueue(queue);
  if (exchange >= 0) await channel.deleteExchange(args[exchange + 1]);
}
await connection.close();
