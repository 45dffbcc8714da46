import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { UserError } from '../errors.js';
import type { LogFilterOptions } from '../logs/filters.js';
import { LEVEL_NAMES, toLogLineJson, type LevelName, type LogEntry, type LogLineJson } from '../logs/log-entry.js';
import { parseTimeBound } from '../logs/time-window.js';
import { parseTraceId } from '../logs/trace-id.js';
import type { TraceHop } from '../logs/trace-tree.js';
import { renderLogEntry, renderTrace } from '../output/render-trace.js';
import { streamLogs, traceLogs, type LogsOptions } from '../services/logs.js';

interface TraceJson {
  traceId: string;
  tree: TraceHop[];
  lines: LogLineJson[];
}

export default class Logs extends BaseCommand {
  static override summary = 'Show service logs merged by time; with --trace-id, one request across every service as a tree of hops.';
  static override examples = [
    '<%= config.bin %> logs',
    '<%= config.bin %> logs orders stock --level warn --since 10m',
    '<%= config.bin %> logs --trace-id 4bf92f3577b34da6a3ce929b0e0e4736',
    '<%= config.bin %> logs --follow --grep "order placed"',
  ];
  static override strict = false;
  static override enableJsonFlag = true;
  static override args = { service: Args.string({ description: 'only these services (several may be named)' }) };

  static override flags = {
    'trace-id': Flags.string({ description: 'only one request: a trace id (32 hex) or a whole traceparent' }),
    follow: Flags.boolean({ char: 'f', description: 'keep printing new lines until Ctrl-C' }),
    since: Flags.string({ description: 'lines from then on: a duration back from now (10m, 1h30m) or an ISO time' }),
    until: Flags.string({ description: 'lines up to then: a duration back from now or an ISO time' }),
    level: Flags.string({ description: 'lines at this level or above', options: [...LEVEL_NAMES] }),
    grep: Flags.string({ description: "lines containing TEXT (case-sensitive, in the service's line or its stack trace)" }),
    runtime: Flags.string({ description: 'runtime to read from (default: the local environment in msx.yaml)', options: ['local', 'docker'] }),
  };

  async run(): Promise<TraceJson | undefined> {
    const { argv, flags } = await this.parse(Logs);
    if (flags.follow && flags.until) throw new UserError('--until cannot be used with --follow', { hint: 'drop one of them' });
    const options: LogsOptions = { cwd: process.cwd(), runtime: flags.runtime, services: argv as string[], filter: filterFrom(flags) };
    const traceId = options.filter.traceId;
    if (traceId && !flags.follow) {
      const trace = await traceLogs({ ...options, filter: { ...options.filter, traceId } });
      if (this.jsonEnabled()) return { traceId, tree: trace.tree, lines: trace.lines.map(toLogLineJson) };
      this.log(renderTrace(trace));
      return undefined;
    }
    await this.printLines(options, flags.follow);
    return undefined;
  }

  /** Streams lines as they are read; Ctrl-C (when following) or a closed pipe ends it cleanly. */
  private async printLines(options: LogsOptions, follow: boolean): Promise<void> {
    const stop = new AbortController();
    const onSignal = () => stop.abort('interrupted');
    process.stdout.on('error', (error: NodeJS.ErrnoException) => error.code === 'EPIPE' && stop.abort('output closed'));
    if (follow) process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
    try {
      const stream = await streamLogs(options, follow ? { signal: stop.signal } : undefined);
      const width = Math.max(8, ...stream.services.map((service) => service.length));
      const format = this.jsonEnabled() ? (e: LogEntry) => JSON.stringify(toLogLineJson(e)) : (e: LogEntry) => renderLogEntry(e, width);
      let printed = 0;
      for await (const batch of stream.entries) {
        if (stop.signal.aborted) break;
        process.stdout.write(`${batch.map(format).join('\n')}\n`);
        printed += batch.length;
      }
      if (printed === 0 && !follow) process.stderr.write(`msx: no log lines${stream.services.length === 0 ? ' yet: start services with `msx up`' : ' match'}\n`);
    } finally {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    }
    if (stop.signal.reason === 'interrupted') process.exitCode = 130;
  }
}

function filterFrom(flags: { 'trace-id'?: string; since?: string; until?: string; level?: string; grep?: string }): LogFilterOptions {
  const now = Date.now();
  const filter: LogFilterOptions = {
    traceId: flags['trace-id'] === undefined ? undefined : parseTraceId(flags['trace-id']),
    since: flags.since === undefined ? undefined : parseTimeBound(flags.since, '--since', now),
    until: flags.until === undefined ? undefined : parseTimeBound(flags.until, '--until', now),
    minLevel: flags.level as LevelName | undefined,
    grep: flags.grep || undefined,
  };
  if (filter.since !== undefined && filter.until !== undefined && filter.since > filter.until) {
    throw new UserError(`--since ${flags.since} is after --until ${flags.until}: no line can match`, { hint: 'swap them' });
  }
  return filter;
}
