// Runs the paths of bench/gateway.sh and prints the figures (see there).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { freePort as claimPort, release } from "./throughput/free-port.mjs";

const { TOOLS_DIR, WORK, REST_DIR, GATEWAY_DIR } = process.env;
const DURATION = Number(process.env.DURATION ?? 5);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const CLK_TCK = Number(process.env.CLK_TCK ?? 100);
const autocannon = createRequire(join(TOOLS_DIR, "package.json"))("autocannon");
const children = [];
process.on("exit", () => children.forEach((c) => c.kill()));

// Ports are claimed as the test suite claims its own (throughput/free-port.mjs), given back on exit.
const claimed = [];
const freePort = async () => { const port = await claimPort(); claimed.push(port); return port; };
process.on("exit", () => claimed.forEach(release));
function start(args, cwd, env) {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  children.push(child);
  return child;
}
async function waitOk(url, headers = {}) {
  for (let i = 0; i < 200; i += 1) {
    try { if ((await fetch(url, { headers })).ok) return; } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never ok: ${url}`);
}
const cpuTicks = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" "); return Number(f[11]) + Number(f[12]); };

// SPANS=exported (default): the gateway exports its spans over OTLP/HTTP to a local receiver that
// discards them (throughput/otlp-sink.mjs), as under `msx up`; SPANS=disabled: OTEL_SDK_DISABLED=true.
// The service behind it records ids only in every path, so the paths differ by the hop alone.
const SPANS = process.env.SPANS ?? "exported";
if (!["exported", "disabled"].includes(SPANS)) throw new Error(`SPANS: unknown mode ${SPANS} (exported, disabled)`);
const [restPort, barePort, gatewayPort, sinkPort, bareSdkPort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
const sink = SPANS === "exported" ? start([join(import.meta.dirname, "throughput", "otlp-sink.mjs")], WORK, { PORT: String(sinkPort) }) : undefined;
const spanEnv = sink ? { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}` } : { OTEL_SDK_DISABLED: "true" };
const rest = start(["dist/main.js"], REST_DIR, { PORT: String(restPort), HOST: "127.0.0.1", SERVICE_NAME: "orders", LOG_LEVEL: "warn" });
await waitOk(`http://127.0.0.1:${restPort}/health/ready`);
const created = await (await fetch(`http://127.0.0.1:${restPort}/orders`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "bench order", description: "one of many" }) })).json();
const path = `/orders/${created.id}`;

const bare = start([join(import.meta.dirname, "gateway-bare-proxy.mjs")], WORK, { PORT: String(barePort), UPSTREAM: `http://127.0.0.1:${restPort}` });
// With spans exported, a fourth path: the bare proxy with the OpenTelemetry SDK's two spans a
// request alone (the gateway's batch size and receiver), the floor under the gateway's figure.
const bareSdk = sink
  ? start([join(import.meta.dirname, "gateway-bare-proxy.mjs")], WORK, { PORT: String(bareSdkPort), UPSTREAM: `http://127.0.0.1:${restPort}`, BARE_SPANS: "1", OTEL_FROM: GATEWAY_DIR, OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "128", ...spanEnv })
  : undefined;
const routes = [{ path: "/orders", service: "orders", urlEnv: "ORDERS_URL", public: false }];
const gateway = start([...(process.env.GW_ARGS ? process.env.GW_ARGS.split(" ") : []), "dist/main.js"], GATEWAY_DIR, {
  PORT: String(gatewayPort), HOST: "127.0.0.1", SERVICE_NAME: "edge", GATEWAY_ROUTES: JSON.stringify(routes), ORDERS_URL: `http://127.0.0.1:${restPort}`,
  AUTH_PUBLIC_KEY: readFileSync(join(GATEWAY_DIR, "..", "..", "..", "msx.yaml"), "utf8").match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/)[0].replace(/\n\s+/g, "\n"),
  // On, and counting every request, but high enough that the bench is never limited.
  RATE_LIMIT_MAX: "10000000", RATE_LIMIT_WINDOW: "1m",
  ...spanEnv,
});
const jose = await import(pathToFileURL(join(GATEWAY_DIR, "node_modules", "jose", "dist", "webapi", "index.js")).href);
const key = await jose.importPKCS8(readFileSync(join(WORK, "private.pem"), "utf8"), "RS256");
const token = await new jose.SignJWT({ scope: "orders:read" }).setProtectedHeader({ alg: "RS256" }).setSubject("bench").setIssuedAt().setExpirationTime("1h").sign(key);
const auth = { authorization: `Bearer ${token}` };
await waitOk(`http://127.0.0.1:${barePort}${path}`);
if (bareSdk) await waitOk(`http://127.0.0.1:${bareSdkPort}${path}`);
await waitOk(`http://127.0.0.1:${gatewayPort}${path}`, auth);

const paths = {
  direct: { url: `http://127.0.0.1:${restPort}${path}`, headers: {}, pid: rest.pid },
  bare: { url: `http://127.0.0.1:${barePort}${path}`, headers: {}, pid: bare.pid },
  gateway: { url: `http://127.0.0.1:${gatewayPort}${path}`, headers: auth, pid: gateway.pid },
  ...(bareSdk ? { "bare+sdk": { url: `http://127.0.0.1:${bareSdkPort}${path}`, headers: {}, pid: bareSdk.pid } } : {}),
};
async function measure(name, overallRate) {
  const { url, headers, pid } = paths[name];
  const before = cpuTicks(pid);
  const started = process.hrtime.bigint();
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION, ...(overallRate ? { overallRate } : {}) });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuSeconds = (cpuTicks(pid) - before) / CLK_TCK;
  const ok = result["2xx"];
  return { rps: ok / seconds, p50: result.latency.p50, p99: result.latency.p99, failed: result.non2xx + result.errors, cpuSeconds, perCpuSecond: ok / cpuSeconds };
}

console.log(`== gateway bench: node ${process.version}, autocannon 9.0.0, ${CONNECTIONS} connections, ${DURATION} s per measurement after a warm-up, GET ${"/orders/:id"}, gateway spans ${SPANS}, load average ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
for (const name of Object.keys(paths)) await autocannon({ url: paths[name].url, headers: paths[name].headers, connections: CONNECTIONS, duration: 2 });
// Rounds of direct, bare, gateway in turn, so a shared machine's drifting load hits each path alike;
// medians over the rounds (the ratio: median of the per-round ratios).
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rounds = [];
for (let i = 0; i < ROUNDS; i += 1) {
  const round = {};
  for (const name of Object.keys(paths)) round[name] = await measure(name);
  rounds.push(round);
}
const saturated = Object.fromEntries(Object.keys(paths).map((name) => [name, Object.fromEntries(["rps", "p50", "p99", "failed", "cpuSeconds", "perCpuSecond"].map((k) => [k, median(rounds.map((r) => r[name][k]))]))]));
const f = (n, d = 0) => n.toFixed(d).padStart(8);
console.log(`saturated (median of ${ROUNDS} rounds)  req/s   p50 ms   p99 ms   failed  process CPU s   req per CPU-s`);
for (const [name, r] of Object.entries(saturated)) console.log(`${name.padEnd(28)}${f(r.rps)} ${f(r.p50, 1)} ${f(r.p99, 1)} ${f(r.failed)} ${f(r.cpuSeconds, 2)}       ${f(r.perCpuSecond)}`);
const ratio = median(rounds.map((r) => r.gateway.perCpuSecond / r.bare.perCpuSecond)) * 100;
console.log(`gateway / bare proxy, requests per proxy CPU-second: ${ratio.toFixed(0)}% (goal >= 70%); per round: ${rounds.map((r) => ((r.gateway.perCpuSecond / r.bare.perCpuSecond) * 100).toFixed(0) + "%").join(" ")}`);
if (bareSdk) console.log(`bare proxy with the SDK's spans alone / bare proxy, requests per proxy CPU-second: ${(median(rounds.map((r) => r["bare+sdk"].perCpuSecond / r.bare.perCpuSecond)) * 100).toFixed(0)}% (the floor: no gateway exporting the SDK's spans does better); gateway / that: ${(median(rounds.map((r) => r.gateway.perCpuSecond / r["bare+sdk"].perCpuSecond)) * 100).toFixed(0)}%`);
console.log(`gateway / bare proxy, requests/s: ${(median(rounds.map((r) => r.gateway.rps / r.bare.rps)) * 100).toFixed(0)}%; gateway / direct: ${(median(rounds.map((r) => r.gateway.rps / r.direct.rps)) * 100).toFixed(0)}%`);

const rate = Math.round(saturated.gateway.rps / 2);
// The p99 at a fixed rate, ROUNDS rounds of the paths in turn as above: one run's p99 is its
// slowest 1% of requests, which a single pause elsewhere on a shared machine decides. Per path the
// median p99; the p99 added is the median of the per-round differences, as the ratio above.
const fixedRounds = [];
for (let i = 0; i < ROUNDS; i += 1) {
  const round = {};
  for (const name of Object.keys(paths)) round[name] = await measure(name, rate);
  fixedRounds.push(round);
}
const p99s = (name) => fixedRounds.map((r) => r[name].p99);
const added = (base) => median(fixedRounds.map((r) => r.gateway.p99 - r[base].p99));
console.log(`at ${rate} req/s (half the gateway's saturation), p99 ms, median of ${ROUNDS} rounds (per round): direct ${median(p99s("direct"))} (${p99s("direct").join(" ")}), bare proxy ${median(p99s("bare"))} (${p99s("bare").join(" ")}), gateway ${median(p99s("gateway"))} (${p99s("gateway").join(" ")})${bareSdk ? `, bare proxy with SDK spans ${median(p99s("bare+sdk"))} (${p99s("bare+sdk").join(" ")})` : ""}`);
console.log(`p99 added by the gateway at 50% of saturation, median of the per-round differences: ${added("direct")} ms vs direct, ${added("bare")} ms vs the bare proxy (goal <= 2 ms); failed: ${fixedRounds.reduce((n, r) => n + r.gateway.failed, 0)}`);
if (sink) {
  sink.kill("SIGTERM");
  await new Promise((resolve) => sink.once("exit", resolve));
}
console.log(`load average at the end: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
process.exit(0);
