import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { MACHINE_RUNTIMES } from '../models/names.js';
import { renderStatusTable } from '../output/render-status.js';
import type { ServiceStatus } from '../runtimes/runtime.js';
import { serviceStatuses } from '../services/run-services.js';

export default class Ps extends BaseCommand {
  static override summary = 'Show each service: state, pid, port, URL, restarts, uptime.';
  static override examples = ['<%= config.bin %> ps', '<%= config.bin %> ps --json'];
  static override enableJsonFlag = true;

  static override flags = {
    runtime: Flags.string({ description: 'runtime to ask (default: the local environment in msx.yaml)', options: [...MACHINE_RUNTIMES] }),
  };

  async run(): Promise<{ services: ServiceStatus[] }> {
    const { flags } = await this.parse(Ps);
    const services = await serviceStatuses({ cwd: process.cwd(), runtime: flags.runtime });
    if (!this.jsonEnabled()) this.log(renderStatusTable(services));
    return { services };
  }
}
