// Driver of bench/span-cost.sh: user-space instructions per operation of one server process,
// counted by valgrind's callgrind (repeatable on a shared, noisy machine, where CPU seconds are
// not). Each target runs under callgrind; after WARM operations its counters are dumped and
// zeroed (callgrind_control -d), then N operations run and the second dump's total / N is the
// figure. Threads (GC, compiler) are counted; the kernel (socket writes) is not.
//   node span-cost.mjs KIND TARGETS_JSON
//     KIND rest: GET /orders/:id on each target; grpc: GetStock (SERVICE_DIR's proto); consumer: one
//     order.placed message on the target's queue (AMQP_URL).
//     TARGETS_JSON: [{ "label", "cwd", "args": [node args], "env": {...}, "port", "ready": readiness path
//     (none: REST any answer, consumer its queue's consumer), "queue" (consumer) }]
// Prints one line per target: "LABEL: I instructions per operation".
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { request, Agent } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";

const [kind, targetsJson] = process.argv.slice(2);
const targets = JSON.parse(targetsJson);
const WARM = Number(process.env.WARM ?? 3000);
const N = Number(process.env.N ?? 5000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 10);
const OUT = process.env.OUT_DIR;
const children = new Set();
process.on("exit", () => children.forEach((c) => c.kill("SIGKILL")));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// CONCURRENCY loops, `count` operations in all; an operation that fails stops the bench.
async function drive(op, count) {
  let left = count;
  const loop = async () => {
    while (left > 0) {
      left -= 1;
      await op();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
}

function restOps(port, ready) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const call = (method, path, body) =>
    new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, method, path, agent, headers: body ? { "content-type": "application/json" } : {} }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => (res.statusCode < 300 || (method === "HEAD" && res.statusCode === 404) ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`${method} ${path}: ${res.statusCode}`))));
      });
      req.on("error", reject);
      req.end(body);
    });
  return {
    // The generated service's readiness, or (bare fastify, no probes) any answer from its routes.
    ready: () => (ready ? call("GET", ready) : call("HEAD", "/orders/00000000-0000-4000-8000-000000000000")),
    seed: async () => JSON.parse(await call("POST", "/orders", JSON.stringify({ name: "bench order", description: "one of many" }))).id,
    op: (id) => () => call("GET", `/orders/${id}`),
    close: () => agent.destroy(),
  };
}

function grpcOps(port) {
  const dir = process.env.SERVICE_DIR;
  const require = createRequire(join(dir, "package.json"));
  const grpc = require("@grpc/grpc-js");
  const protoLoader = require("@grpc/proto-loader");
  const definition = protoLoader.loadSync(join(dir, "proto", "stock.proto"), { keepCase: false, longs: String, enums: String, defaults: true });
  const Stock = grpc.loadPackageDefinition(definition).stock.v1.StockService;
  const client = new Stock(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const deadline = () => ({ deadline: Date.now() + 60_000 });
  const unary = (method, message) => new Promise((resolve, reject) => client[method](message, deadline(), (e, r) => (e ? reject(e) : resolve(r))));
  return {
    ready: () => unary("GetStock", { id: "00000000-0000-4000-8000-000000000000" }).catch((e) => (e.code === grpc.status.NOT_FOUND ? undefined : Promise.reject(e))),
    seed: async () => (await unary("CreateStock", { name: "seed" })).id,
    op: (id) => () => unary("GetStock", { id }),
    close: () => client.close(),
  };
}

// The consumer: each operation is one order.placed message on the target's queue (published as
// bench/throughput/amqp-bench.mjs does, with a traceparent); a batch is done once the queue is
// empty and the messages the consumer held (PREFETCH) have had time to be acked.
async function consumerOps(target) {
  const require = createRequire(join(process.env.SERVICE_DIR, "package.json"));
  const amqp = require("amqplib");
  const connection = await amqp.connect(process.env.AMQP_URL ?? "amqp://127.0.0.1:5672");
  const channel = await connection.createConfirmChannel();
  channel.on("error", () => {});
  const traceparent = "00-4bf92f3577b34da6a3ce929b0e0e4736-00f067aa0ba902b7-01";
  const probe = async () => {
    const ch = await connection.createChannel();
    ch.on("error", () => {});
    const consumers = await ch.checkQueue(target.queue).then((q) => q.consumerCount, () => 0);
    await ch.close().catch(() => {});
    return consumers;
  };
  const http = target.ready ? restOps(target.port, target.ready) : undefined;
  return {
    ready: async () => {
      if (http) await http.ready();
      if ((await probe()) < 1) throw new Error("no consumer yet");
    },
    seed: async () => undefined,
    batch: async (count) => {
      for (let i = 0; i < count; i += 1) {
        const payload = { id: randomUUID(), occurredAt: new Date().toISOString(), data: { name: `order ${i}` } };
        const properties = { persistent: true, messageId: randomUUID(), contentType: "application/json", headers: { traceparent } };
        if (!channel.sendToQueue(target.queue, Buffer.from(JSON.stringify(payload)), properties)) await new Promise((r) => channel.once("drain", r));
      }
      await channel.waitForConfirms();
      while ((await channel.checkQueue(target.queue)).messageCount > 0) await sleep(200);
      await sleep(3000);
    },
    close: async () => {
      http?.close();
      await connection.close().catch(() => {});
    },
  };
}

async function measure(target) {
  const file = join(OUT, `callgrind.${kind}.${target.label.replace(/[^a-z]+/g, "-")}`);
  for (const suffix of ["", ".1", ".2"]) rmSync(file + suffix, { force: true });
  const child = spawn("valgrind", ["--tool=callgrind", "--smc-check=all-non-file", `--callgrind-out-file=${file}`, process.execPath, ...target.args], {
    cwd: target.cwd,
    env: { ...process.env, ...target.env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.add(child);
  let stderr = "";
  child.stderr.on("data", (c) => (stderr = (stderr + c).slice(-4000)));
  const ops = kind === "grpc" ? grpcOps(target.port) : kind === "consumer" ? await consumerOps(target) : restOps(target.port, target.ready);
  try {
    for (let i = 0; ; i += 1) {
      if (child.exitCode !== null) throw new Error(`${target.label} exited under valgrind:\n${stderr}`);
      try {
        await ops.ready();
        break;
      } catch {
        if (i > 1200) throw new Error(`${target.label} never became ready`);
        await sleep(250);
      }
    }
    const id = await ops.seed();
    const run = ops.batch ?? ((count) => drive(ops.op(id), count));
    await run(WARM);
    execFileSync("callgrind_control", ["-d", String(child.pid)], { stdio: "ignore" });
    await run(N);
    execFileSync("callgrind_control", ["-d", String(child.pid)], { stdio: "ignore" });
    for (let i = 0; i < 100 && !existsSync(`${file}.2`); i += 1) await sleep(100);
    const summary = /^summary: (\d+)/m.exec(readFileSync(`${file}.2`, "utf8"));
    if (!summary) throw new Error(`${target.label}: no summary in ${file}.2`);
    console.log(`${target.label}: ${Math.round(Number(summary[1]) / N)} instructions per operation`);
  } finally {
    await ops.close();
    child.kill("SIGTERM");
    await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
    children.delete(child);
  }
}

for (const target of targets) await measure(target);
