import chalk from 'chalk';
import type { ServiceState, ServiceStatus } from '../runtimes/runtime.js';

const STATE_COLOUR: Record<ServiceState, (text: string) => string> = {
  pending: chalk.dim,
  installing: chalk.cyan,
  starting: chalk.cyan,
  ready: chalk.green,
  restarting: chalk.yellow,
  failed: chalk.red,
  blocked: chalk.red,
  stopped: chalk.dim,
  orphaned: chalk.yellow,
};

/** One progress line per state change, as `msx up` shows them. */
export function renderStateLine(status: ServiceStatus): string {
  const state = STATE_COLOUR[status.state](status.state.padEnd(10));
  const where = status.state === 'ready' && status.url ? ` ${status.url}` : '';
  const detail = status.detail ? chalk.dim(` ${status.detail}`) : '';
  return `${chalk.bold('msx')} ${status.service.padEnd(16)} ${state}${where}${detail}`;
}

/** States in which the service's process runs: only then do its pid and uptime mean anything. */
const RUNNING: ReadonlySet<ServiceState> = new Set(['starting', 'ready', 'orphaned']);

/** The `msx ps` table, then one line per service with something to say (why it failed, is blocked, is orphaned). */
export function renderStatusTable(statuses: ServiceStatus[], now = Date.now()): string {
  const rows = statuses.map((s) => [
    s.service,
    STATE_COLOUR[s.state](s.state),
    s.pid && RUNNING.has(s.state) ? String(s.pid) : '-',
    s.port ? String(s.port) : '-',
    s.state === 'ready' && s.url ? s.url : '-',
    String(s.restarts),
    s.startedAt && RUNNING.has(s.state) ? uptime(now - Date.parse(s.startedAt)) : '-',
    s.startedAt ? clock(s.startedAt) : '-',
    s.lastExit ?? '-',
  ]);
  // Every line: a failure's detail ends with the service's last lines (at most five, runtimes/last-lines.ts).
  const details = statuses.filter((s) => s.detail).map((s) => `${chalk.bold(s.service)}: ${s.detail!}`);
  return [table(['SERVICE', 'STATE', 'PID', 'PORT', 'URL', 'RESTARTS', 'UPTIME', 'STARTED', 'LAST EXIT'], rows), ...(details.length ? ['', ...details] : [])].join('\n');
}

/** The time of the last (re)start, as the clock on the wall shows it (UTC, like the log lines). */
function clock(iso: string): string {
  return iso.slice(11, 19);
}

function uptime(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
  return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;
}

export function table(head: string[], rows: string[][]): string {
  // eslint-disable-next-line no-control-regex
  const visible = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '').length;
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => visible(r[i]))));
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(widths[i] - visible(c))).join('  ').trimEnd();
  return [chalk.bold(line(head)), ...rows.map(line)].join('\n');
}
