import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { renderDemo } from '../output/render-demo.js';
import { renderStateLine } from '../output/render-status.js';
import type { RuntimeEvents } from '../runtimes/runtime.js';
import { runDemo, type DemoResult } from '../services/demo.js';

export default class Demo extends BaseCommand {
  static override summary = 'Make an example workspace (REST → gRPC → event consumer), bring it up, and trace one request.';
  static override description =
    'Scaffolds orders (REST, calls stock, publishes order.placed), stock (gRPC) and mailer (consumes order.placed) into DIR, runs them on the local runtime (detached), sends one request with a fresh trace id, and prints where to look.';
  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo /tmp/shop'];
  static override enableJsonFlag = true;

  static override args = {
    dir: Args.string({ description: 'new or empty folder for the example workspace', default: 'msx-demo' }),
  };

  static override flags = {
    timeout: Flags.integer({ description: 'seconds each service may take to become ready', default: 120, min: 1 }),
  };

  async run(): Promise<DemoResult> {
    const { args, flags } = await this.parse(Demo);
    const quiet = this.jsonEnabled();
    const events: RuntimeEvents = {
      state: (status) => quiet || process.stderr.write(`${renderStateLine(status)}\n`),
      log: () => undefined,
      note: (service, message) => quiet || process.stderr.write(`msx ${service ?? ''} ${message}\n`),
    };
    const result = await runDemo({ dir: args.dir, readyTimeoutSeconds: flags.timeout }, events);
    if (!quiet) this.log(renderDemo(result));
    return result;
  }
}
