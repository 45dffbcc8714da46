import { Command } from '@oclif/core';
import { renderError } from './errors.js';

/**
 * The one place errors become output and an exit code (errors.ts has the
 * table). Commands only throw.
 */
export abstract class BaseCommand extends Command {
  protected override async catch(error: Error & { exitCode?: number }): Promise<void> {
    const rendered = renderError(error);
    if (this.jsonEnabled()) {
      const [first, ...rest] = rendered.lines;
      process.stdout.write(`${JSON.stringify({ error: { message: first.replace(/^error: /, ''), details: rest, exitCode: rendered.exitCode } })}\n`);
    } else {
      process.stderr.write(`${rendered.lines.join('\n')}\n`);
    }
    process.exitCode = rendered.exitCode;
  }
}
