import { Args, loadHelpClass } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { unknownCommandError } from '../cli/unknown-command.js';

export default class Help extends BaseCommand {
  static override summary = 'Show help for msx, or for one command (the same as --help and -h).';
  static override examples = ['<%= config.bin %> help', '<%= config.bin %> help up', '<%= config.bin %> help new service'];
  static override strict = false;
  static override args = { command: Args.string({ description: 'the command, e.g. up or new service' }) };

  async run(): Promise<void> {
    const { argv } = await this.parse(Help);
    const words = (argv as string[]).filter((word) => !word.startsWith('-'));
    const id = words.join(':');
    // oclif's own "Command x not found." has no suggestion; say what msx says for `msx x`.
    if (id && !this.config.findCommand(id) && !this.config.findTopic(id)) throw unknownCommandError(words, this.config.commandIDs, 'help');
    const HelpClass = await loadHelpClass(this.config);
    await new HelpClass(this.config, this.config.pjson.oclif.helpOptions).showHelp(words);
  }
}
