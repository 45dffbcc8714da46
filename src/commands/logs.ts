import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { runLogs, type TraceJson } from '../cli/logs-run.js';
import { LEVEL_NAMES } from '../logs/log-entry.js';
import { RUNTIME_NAMES } from '../models/names.js';

export default class Logs extends BaseCommand {
  static override summary = 'Show service logs merged by time; with --trace-id, one request across every service as a tree of hops.';
  static override examples = [
    '<%= config.bin %> logs',
    '<%= config.bin %> logs orders stock --level warn --since 10m',
    '<%= config.bin %> logs --trace-id 4bf92f3577b34da6a3ce929b0e0e4736',
    '<%= config.bin %> logs --follow --grep "order placed"',
    '<%= config.bin %> logs --env staging --previous mailer',
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
    runtime: Flags.string({ description: 'runtime to read from (default: the local environment in msx.yaml)', options: [...RUNTIME_NAMES] }),
    env: Flags.string({ description: "an environment in msx.yaml: its runtime, and for kubernetes its namespace and kubeContext" }),
    previous: Flags.boolean({ description: 'kubernetes: also the log of each container before its last restart' }),
  };

  async run(): Promise<TraceJson | undefined> {
    const { argv, flags } = await this.parse(Logs);
    return runLogs(flags, argv as string[], { json: this.jsonEnabled(), log: (text) => this.log(text) });
  }
}
