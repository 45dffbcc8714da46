import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { runTraces } from '../cli/traces-run.js';
import type { tracesJson } from '../output/render-traces.js';

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
    return runTraces(flags, { json: this.jsonEnabled(), log: (text) => this.log(text) });
  }
}
