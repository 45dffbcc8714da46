import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { renderTraces, tracesJson } from '../output/render-traces.js';
import { recentTraces } from '../services/traces.js';

export default class Traces extends BaseCommand {
  static override summary = "List the traces msx's collector stored: root span, services touched, duration, errors.";
  static override examples = [
    '<%= config.bin %> traces',
    '<%= config.bin %> traces --slowest --since 10m',
    '<%= config.bin %> traces --errors --service orders --json',
  ];
  static override enableJsonFlag = true;

  static override flags = {
    slowest: Flags.boolean({ description: 'longest first (default: latest first)' }),
    errors: Flags.boolean({ description: 'only traces with a span whose status is error' }),
    service: Flags.string({ description: 'only traces this service wrote a span of' }),
    since: Flags.string({ description: 'traces started since then: a duration back from now (10m, 1h30m) or an ISO time' }),
    limit: Flags.integer({ description: 'at most this many traces', default: 20, min: 1 }),
  };

  async run(): Promise<{ traces: ReturnType<typeof tracesJson> }> {
    const { flags } = await this.parse(Traces);
    const { traces, stored } = await recentTraces({ cwd: process.cwd(), service: flags.service, since: flags.since, errors: flags.errors, slowest: flags.slowest, limit: flags.limit });
    if (!this.jsonEnabled()) {
      if (traces.length > 0) this.log(renderTraces(traces));
      else process.stderr.write(stored ? 'msx: no traces match\n' : 'msx: no traces yet: start services with `msx up` and send them a request (spans go to msx\'s collector)\n');
    }
    return { traces: tracesJson(traces) };
  }
}
