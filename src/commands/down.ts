import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { MACHINE_RUNTIMES } from '../models/names.js';
import type { DownResult } from '../runtimes/runtime.js';
import { downServices } from '../services/run-services.js';

export default class Down extends BaseCommand {
  static override summary = 'Stop everything `msx up` started for this workspace.';
  static override description = 'Sends SIGTERM to every service (SIGKILL after a grace period) and the supervisor; nothing is left running.';
  static override examples = ['<%= config.bin %> down'];
  static override enableJsonFlag = true;

  static override flags = {
    runtime: Flags.string({ description: 'runtime to stop (default: the local environment in msx.yaml)', options: [...MACHINE_RUNTIMES] }),
    volumes: Flags.boolean({ description: 'also remove data volumes (docker runtime)' }),
  };

  async run(): Promise<DownResult> {
    const { flags } = await this.parse(Down);
    const result = await downServices({ cwd: process.cwd(), runtime: flags.runtime, volumes: flags.volumes });
    if (!this.jsonEnabled()) {
      this.log(result.wasRunning ? `Stopped ${result.stopped.length} service(s): ${result.stopped.join(', ') || 'none'}` : 'Nothing was running.');
      for (const [kind, names] of Object.entries(result.removed ?? {})) {
        if (names.length > 0) this.log(`Removed ${names.length} ${kind}: ${names.join(', ')}`);
      }
    }
    return result;
  }
}
