import { Command } from '@oclif/core';
import { writeError } from './cli/write-error.js';

/**
 * Commands only throw; errors become output and an exit code in one place
 * (cli/write-error.ts, with the table in errors.ts).
 */
export abstract class BaseCommand extends Command {
  protected override async catch(error: Error & { exitCode?: number }): Promise<void> {
    writeError(error, this.jsonEnabled());
  }
}
