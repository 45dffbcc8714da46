#!/usr/bin/env node
// Usage: time-command.mjs RUNS LABEL -- CMD [ARGS...]
// Runs CMD RUNS times (after one warm-up) and prints the median and min wall time in ms.
import { spawnSync } from 'node:child_process';

const [runsArg, label, dashes, cmd, ...args] = process.argv.slice(2);
if (dashes !== '--' || !cmd) {
  console.error('usage: time-command.mjs RUNS LABEL -- CMD [ARGS...]');
  process.exit(2);
}
const runs = Number(runsArg);
const once = () => {
  const start = process.hrtime.bigint();
  const result = spawnSync(cmd, args, { stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) {
    console.error(`${label}: exited ${result.status}`);
    process.exit(1);
  }
  return ms;
};
once();
const times = Array.from({ length: runs }, once).sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`${label.padEnd(36)} median ${median.toFixed(0).padStart(5)} ms   min ${times[0].toFixed(0).padStart(5)} ms   (${runs} runs)`);
