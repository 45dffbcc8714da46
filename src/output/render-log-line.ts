import chalk from 'chalk';
import type { ServiceLogLine } from '../state/log-record.js';

const PALETTE = [chalk.cyan, chalk.magenta, chalk.yellow, chalk.green, chalk.blue, chalk.redBright, chalk.cyanBright, chalk.magentaBright];
const LEVEL: Record<string, (text: string) => string> = {
  trace: chalk.dim, debug: chalk.dim, info: chalk.green, warn: chalk.yellow, error: chalk.red, fatal: chalk.bgRed.white,
};
/** Fields shown in the line itself, not repeated as key=value. */
const SHOWN = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname', 'span_id', 'parent_span_id']);

export function serviceColour(service: string): (text: string) => string {
  let hash = 0;
  for (const char of service) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length];
}

/** `orders | 12:00:01.123 INFO  created order trace_id=… status=201`, pretty-printed from JSON. */
export function renderLogLine(line: ServiceLogLine, width = 12): string {
  const prefix = serviceColour(line.service)(`${line.service.padEnd(width)} |`);
  if (!line.fields) return `${prefix} ${line.text}`;
  const f = line.fields;
  const time = typeof f.time === 'string' ? f.time.slice(11, 23) : line.receivedAt.slice(11, 23);
  const level = String(f.level ?? 'info');
  const colour = LEVEL[level] ?? chalk.white;
  const extras = Object.entries(f)
    .filter(([key]) => !SHOWN.has(key))
    .map(([key, value]) => chalk.dim(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`));
  return [prefix, chalk.dim(time), colour(level.toUpperCase().padEnd(5)), String(f.msg ?? ''), ...extras].join(' ');
}
