import type { Hook } from '@oclif/core';
import { UserError } from '../errors.js';
import { writeError } from './write-error.js';

/**
 * oclif's `command_not_found` hook: an unknown command (`msx deploi`), or
 * words after a command that takes none (`msx down orders`, which oclif sees
 * as the command "down:orders"), get msx's own two lines and exit 2 instead of
 * oclif's format. Registered in package.json; loaded only when it fires.
 */
export const commandNotFound: Hook<'command_not_found'> = async function (options) {
  const error = unknownCommandError(options.id.split(':'), options.config.commandIDs, 'run');
  writeError(error, options.argv?.includes('--json') ?? false);
};

/**
 * What to say about the words given where a command was expected: to run it
 * (oclif joins words into one id only after a command that takes no
 * arguments), or as the subject of `msx help`.
 */
export function unknownCommandError(words: readonly string[], commandIds: readonly string[], as: 'run' | 'help'): UserError {
  const ids = new Set(commandIds);
  for (let length = words.length - 1; length > 0; length--) {
    const command = words.slice(0, length).join(' ');
    if (!ids.has(words.slice(0, length).join(':'))) continue;
    const extra = words.slice(length).join(' ');
    if (as === 'help') return new UserError(`unknown command "${words.join(' ')}"`, { hint: `\`msx help ${command}\` shows \`msx ${command}\`, and its arguments` });
    return new UserError(`\`msx ${command}\` takes no arguments, but got "${extra}"`, { hint: `see \`msx ${command} --help\`` });
  }
  const given = words.join(' ');
  const closest = closestCommand(given, [...ids].map((id) => id.replaceAll(':', ' ')));
  return new UserError(`unknown command "${given}"`, {
    hint: closest ? `did you mean \`msx ${closest}\`? (\`msx help\` lists every command)` : '`msx help` lists every command',
  });
}

/** The command nearest to `given` by edit distance, when near enough to be a typo. */
export function closestCommand(given: string, commands: readonly string[]): string | undefined {
  let best: { command: string; distance: number } | undefined;
  for (const command of commands) {
    const distance = editDistance(given, command);
    if (!best || distance < best.distance) best = { command, distance };
  }
  const allowed = Math.max(2, Math.floor(given.length / 3));
  return best && best.distance <= allowed ? best.command : undefined;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
