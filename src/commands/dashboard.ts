import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { serveDashboard } from '../dashboard/run-dashboard.js';

export default class Dashboard extends BaseCommand {
  static override summary = 'Serve the workspace dashboard on 127.0.0.1: services, live logs, traces, the service graph.';
  static override description =
    'Runs in the foreground until Ctrl-C. Open the printed URL: it holds a random token, and without it every page answers 401. Reads what msx reads (.msx and the running supervisor), so it works for a workspace started with --detach.';
  static override examples = ['<%= config.bin %> dashboard', '<%= config.bin %> dashboard --port 4000', '<%= config.bin %> dashboard --json'];
  static override enableJsonFlag = true;

  static override flags = {
    port: Flags.integer({ description: 'port on 127.0.0.1 (default: a free one)', min: 1, max: 65535 }),
    'until-down': Flags.boolean({ description: 'stop once the workspace stops (how `msx up --detach` starts it)', hidden: true }),
  };

  async run(): Promise<{ url: string }> {
    const { flags } = await this.parse(Dashboard);
    const dashboard = await serveDashboard({ cwd: process.cwd(), port: flags.port, untilDown: flags['until-down'] });
    if (this.jsonEnabled()) this.logJson({ url: dashboard.url });
    else this.log(`msx dashboard ${dashboard.url}\nCtrl-C stops it`);
    await dashboard.done;
    if (!flags['until-down']) process.exitCode = 130; // stopped by Ctrl-C or SIGTERM, as `msx up` is
    return { url: dashboard.url };
  }

  protected override toSuccessJson(): undefined {
    return undefined; // printed once it listened
  }
}
