import chalk from 'chalk';
import type { DemoResult } from '../services/demo.js';
import { renderStatusTable } from './render-status.js';

export function renderDemo(result: DemoResult): string {
  const { request } = result;
  return [
    '',
    renderStatusTable(result.services),
    '',
    `${chalk.bold('Sent')} ${request.method} ${request.url} → ${request.status}`,
    `${chalk.bold('Trace id')} ${result.traceId} (seen in: ${result.tracedServices.join(', ') || 'no log yet'})`,
    '',
    'Where to look:',
    `  cd ${result.root}`,
    `  msx ps                                  # what runs, pids, ports, restarts`,
    `  msx logs --trace-id ${result.traceId}   # this request across all three services`,
    `  cat .msx/logs/orders.ndjson              # raw NDJSON of one service`,
    `  msx down                                # stop everything`,
  ].join('\n');
}
