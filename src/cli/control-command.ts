import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { UserError } from '../errors.js';
import { MACHINE_RUNTIMES } from '../models/names.js';
import { renderStateLine, renderStatusTable } from '../output/render-status.js';
import type { ControlAction, RuntimeEvents, ServiceStatus } from '../runtimes/runtime.js';
import { controlServices } from '../services/control-services.js';

/** What `msx restart`, `stop` and `start` share: names → the running supervisor → state lines as `up` shows them. */
export abstract class ControlCommand extends BaseCommand {
  static override strict = false;
  static override enableJsonFlag = true;
  static override flags = {
    runtime: Flags.string({ description: 'runtime to act on (default: the one this workspace runs on)', options: [...MACHINE_RUNTIMES] }),
  };

  protected abstract readonly action: ControlAction;

  async run(): Promise<{ services: ServiceStatus[] }> {
    const { argv, flags } = await this.parse(this.constructor as typeof ControlCommand);
    const quiet = this.jsonEnabled();
    const events: RuntimeEvents = {
      state: (status) => quiet || process.stderr.write(`${renderStateLine(status)}\n`),
      log: () => undefined,
      note: (service, message) => quiet || process.stderr.write(`msx ${service ?? ''} ${message}\n`),
    };
    const services = await controlServices({ cwd: process.cwd(), runtime: flags.runtime, action: this.action, services: argv as string[] }, events);
    if (quiet) this.logJson({ services });
    else process.stderr.write(`${renderStatusTable(services)}\n`);
    const wanted = this.action === 'stop' ? 'stopped' : 'ready';
    const unsettled = services.filter((s) => s.state !== wanted);
    if (unsettled.length > 0) {
      const lines = unsettled.map((s) => `${s.service} is ${s.state}${s.detail ? `: ${s.detail}` : ''}`);
      throw new UserError(lines.join('\n'), { hint: 'see `msx logs SERVICE`; fix it and `msx restart SERVICE`', exit: 'notReady' });
    }
    return { services };
  }

  protected override toSuccessJson(): undefined {
    return undefined; // printed above, also when a service is not ready
  }
}
