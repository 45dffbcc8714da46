import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { MACHINE_RUNTIMES } from '../models/names.js';
import { UserError } from '../errors.js';
import { renderLogLine } from '../output/render-log-line.js';
import { renderStateLine, renderStatusTable } from '../output/render-status.js';
import type { RuntimeEvents, ServiceStatus } from '../runtimes/runtime.js';
import { unsettled, upServices, type SpansDestination } from '../services/run-services.js';

export default class Up extends BaseCommand {
  static override summary = 'Build, start and wire every service, each gated on its readiness probe.';
  static override description =
    'Starts services in dependency order (only SERVICE... and what they depend on, when named). Stays in the foreground streaming every log line until Ctrl-C, or returns once all are ready with --detach.';
  static override examples = ['<%= config.bin %> up', '<%= config.bin %> up --detach', '<%= config.bin %> up orders --timeout 120'];
  static override strict = false;
  static override enableJsonFlag = true;
  // Declared so USAGE shows [SERVICE...]; strict = false takes every name (read from argv).
  static override args = { service: Args.string({ description: 'only these services and what they depend on (several may be named)' }) };

  static override flags = {
    detach: Flags.boolean({ char: 'd', description: 'return once every service is ready; a supervisor keeps them running' }),
    watch: Flags.boolean({ char: 'w', description: 'restart a service when a file under its folder changes (docker: synced into its container, or its image rebuilt; detached, the supervisor or log follower watches)' }),
    runtime: Flags.string({ description: 'where services run (default: the local environment in msx.yaml, else local)', options: [...MACHINE_RUNTIMES] }),
    timeout: Flags.integer({ description: 'seconds each service may take to become ready', default: 60, min: 1 }),
    dashboard: Flags.boolean({ description: 'serve the dashboard (`msx dashboard`) while the workspace runs and print its URL', default: true, allowNo: true }),
  };

  async run(): Promise<{ services: ServiceStatus[] }> {
    const { argv, flags } = await this.parse(Up);
    const quiet = this.jsonEnabled();
    const events: RuntimeEvents = {
      state: (status) => quiet || process.stderr.write(`${renderStateLine(status)}\n`),
      log: (line) => quiet || flags.detach || this.log(renderLogLine(line)),
      note: (service, message) => quiet || process.stderr.write(`msx ${service ?? ''} ${message}\n`),
    };
    const result = await upServices(
      { cwd: process.cwd(), runtime: flags.runtime, detach: flags.detach, watch: flags.watch, readyTimeoutSeconds: flags.timeout, services: argv as string[] },
      events,
    );
    const notReady = unsettled(result.services);
    const dashboard = flags.dashboard ? await openDashboard(flags.detach, result.done, (text) => quiet || process.stderr.write(`msx ${text}\n`)) : undefined;
    if (quiet) this.logJson({ runtime: result.runtime, services: result.services, entryPoints: result.entryPoints, ...(result.spans && { spans: result.spans }), ...(dashboard && { dashboard }) });
    else process.stderr.write(`${renderStatusTable(result.services)}\n${spansLine(result.spans)}${dashboard ? `msx dashboard ${dashboard}\n` : ''}`);
    for (const entry of quiet ? [] : (result.entryPoints ?? [])) process.stderr.write(`msx: entry point ${entry.url} (gateway ${entry.service})\n`);
    if (flags.detach && notReady.length > 0) throw notReadyError(notReady);
    if (!flags.detach && result.done) {
      if (!quiet) process.stderr.write(`msx: ${result.services.length - notReady.length}/${result.services.length} ready; Ctrl-C stops everything\n`);
      await result.done;
      process.exitCode = 130;
    }
    return { services: result.services };
  }

  protected override toSuccessJson(): undefined {
    return undefined; // already printed once every service settled
  }
}

/**
 * The dashboard's URL: detached, a `msx dashboard` process of its own that stops after `msx down`
 * (or the one already serving); in the foreground, served by this process until it ends. A dashboard
 * that cannot start is a note, never a failed `msx up`.
 */
async function openDashboard(detach: boolean | undefined, done: Promise<void> | undefined, note: (text: string) => void): Promise<string | undefined> {
  try {
    if (detach || !done) {
      const { detachedDashboard } = await import('../services/dashboard-process.js');
      return await detachedDashboard(process.cwd());
    }
    const { serveDashboard } = await import('../dashboard/run-dashboard.js');
    const dashboard = await serveDashboard({ cwd: process.cwd() });
    void done.then(() => dashboard.close());
    return dashboard.url;
  } catch (error) {
    note(`dashboard did not start: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
    return undefined;
  }
}

function notReadyError(services: ServiceStatus[]): UserError {
  const lines = services.map((s) => `${s.service} is ${s.state}${s.detail ? `: ${s.detail}` : ''}`);
  return new UserError(lines.join('\n'), { hint: 'see `msx logs SERVICE`; the ready services are still running (`msx down` stops them)', exit: 'notReady' });
}

/** Where spans go, as one line (none when msx's collector did not start: the supervisor said why). */
function spansLine(spans: SpansDestination | undefined): string {
  if (!spans) return '';
  return spans.collector
    ? `msx spans → msx's collector ${spans.endpoint} (msx traces, msx logs --trace-id, the dashboard)\n`
    : `msx spans → ${spans.endpoint} (otel.endpoint of the local environment in msx.yaml)\n`;
}
