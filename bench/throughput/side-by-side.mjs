// Side-by-side rounds for the *-throughput.sh benches: the generated server and the bare one
// are loaded at the same moments (one load process, the same work in flight on each), so the
// CPU speed drifting from second to second on a shared machine hits both alike.
// Per round: each server's rate (operations done / window) and its CPU time per operation
// (utime + stime from /proc/<pid>/stat over the same window). At the end: medians, and the
// generated/bare ratios as the median of the per-round ratios (each round pairs two figures
// taken at the same moments, which is what keeps the ratio steady).
import { appendFileSync, readFileSync } from "node:fs";

const CLK_TCK = Number(process.env.CLK_TCK ?? 100);
export const DURATION = Number(process.env.DURATION ?? 3);
export const ROUNDS = Number(process.env.ROUNDS ?? 7);
export const pids = { generated: Number(process.env.GEN_PID), bare: Number(process.env.BARE_PID) };
if (!pids.generated || !pids.bare) throw new Error("GEN_PID and BARE_PID are required");

/** utime + stime of PID in clock ticks (fields 14 and 15 of /proc/PID/stat; the name in field 2 may hold spaces). */
const ticks = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields[0] is field 3
  return Number(fields[11]) + Number(fields[12]);
};

/** Starts a measuring window over both servers; end() gives its wall seconds and each server's CPU seconds. */
export const startWindow = () => {
  const before = { generated: ticks(pids.generated), bare: ticks(pids.bare) };
  const started = performance.now();
  return {
    end: () => {
      const seconds = (performance.now() - started) / 1000;
      const cpu = { generated: (ticks(pids.generated) - before.generated) / CLK_TCK, bare: (ticks(pids.bare) - before.bare) / CLK_TCK };
      return { seconds, cpu };
    },
  };
};

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const pct = (value) => `${value.toFixed(1)}%`;
const verdict = (value, goal) => `${pct(value)} (goal >= ${goal}%: ${value >= goal ? "met" : "NOT met"})`;

/**
 * One warm-up round, then ROUNDS measured rounds, printed as they come, then the summary.
 * round() loads both servers at the same moments and resolves
 *   { seconds, cpu: { generated, bare }, generated: { done, failed }, bare: { done, failed } }
 * (seconds and cpu from startWindow()). unit names one operation ("req", "call", "msg").
 */
export async function sideBySide({ label, unit, goal, round }) {
  console.log(`${label}`);
  const results = [];
  let failed = { generated: 0, bare: 0 }; // over every round, the warm-up included
  let operations = 0; // the generated side's, done or failed, every round
  for (let index = 0; index <= ROUNDS; index += 1) {
    const r = await round();
    const figures = Object.fromEntries(
      ["generated", "bare"].map((side) => [side, { rate: r[side].done / r.seconds, cpuMicros: r[side].done > 0 ? (1e6 * r.cpu[side]) / r[side].done : NaN }]),
    );
    const byRate = (100 * figures.generated.rate) / figures.bare.rate;
    const byCpu = (100 * figures.bare.cpuMicros) / figures.generated.cpuMicros; // generated/bare in operations per CPU-second
    const side = (name) => `${name} ${Math.round(figures[name].rate)} ${unit}/s ${figures[name].cpuMicros.toFixed(0)} µs/${unit}`;
    const name = index === 0 ? "warm-up" : `round ${index}`;
    console.log(`  ${name.padEnd(8)} ${side("generated")}, ${side("bare")} | generated/bare: rate ${pct(byRate)}, per CPU-s ${pct(byCpu)}${r.note ? ` (${r.note})` : ""}`);
    failed = { generated: failed.generated + r.generated.failed, bare: failed.bare + r.bare.failed };
    operations += r.generated.done + r.generated.failed;
    if (index > 0) results.push({ ...figures, byRate, byCpu });
  }
  const m = (pick) => median(results.map(pick));
  const spread = (pick) => `rounds ${pct(Math.min(...results.map(pick)))}-${pct(Math.max(...results.map(pick)))}`;
  console.log(`  median of ${ROUNDS} rounds of ${DURATION} s:`);
  console.log(`    rate:               generated ${Math.round(m((r) => r.generated.rate))} ${unit}/s, bare ${Math.round(m((r) => r.bare.rate))} ${unit}/s`);
  console.log(`    server CPU per ${unit}: generated ${m((r) => r.generated.cpuMicros).toFixed(0)} µs, bare ${m((r) => r.bare.cpuMicros).toFixed(0)} µs`);
  console.log(`    generated/bare by ${unit}/s (same moments):      ${verdict(m((r) => r.byRate), goal)}; ${spread((r) => r.byRate)}`);
  console.log(`    generated/bare by ${unit}s per server CPU-second: ${verdict(m((r) => r.byCpu), goal)}; ${spread((r) => r.byCpu)}`);
  if (failed.generated + failed.bare > 0) console.log(`  warning: failed ${unit}s (warm-up included): generated ${failed.generated}, bare ${failed.bare}`);
  // OPS_FILE (common.sh, spans exported): the generated side's operations, warm-up included, to set against the spans the collector got.
  if (process.env.OPS_FILE) appendFileSync(process.env.OPS_FILE, `${operations}\n`);
}
