import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { renderInit } from '../output/render-files.js';
import { initWorkspace, type InitResult } from '../services/init-workspace.js';

export default class Init extends BaseCommand {
  static override summary = 'Make a new msx workspace (msx.yaml, contexts/, README, .gitignore).';
  static override description = 'Refuses a folder that already holds a workspace. DIR defaults to the current folder.';
  static override examples = ['<%= config.bin %> init shop', '<%= config.bin %> init . --name shop'];
  static override enableJsonFlag = true;

  static override args = {
    dir: Args.string({ description: 'folder of the new workspace', default: '.' }),
  };

  static override flags = {
    name: Flags.string({ description: 'workspace name (a DNS label); defaults to the folder name' }),
    'dry-run': Flags.boolean({ description: 'list the files without writing them' }),
  };

  async run(): Promise<InitResult> {
    const { args, flags } = await this.parse(Init);
    const result = await initWorkspace({ dir: args.dir, name: flags.name, dryRun: flags['dry-run'] });
    if (!this.jsonEnabled()) this.log(renderInit(result));
    return result;
  }
}
