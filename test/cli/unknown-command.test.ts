import { describe, expect, it } from 'vitest';
import { closestCommand, unknownCommandError } from '../../src/cli/unknown-command.js';
import { renderError } from '../../src/errors.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const IDS = ['init', 'new:service', 'up', 'down', 'ps', 'logs', 'deploy', 'demo', 'help'];
const lines = (words: string[], as: 'run' | 'help' = 'run') => renderError(unknownCommandError(words, IDS, as)).lines;

describe('unknown commands (the command_not_found hook)', () => {
  it('suggests the nearest command for a typo, and nothing for a word far from all', () => {
    expect(closestCommand('deploi', IDS)).toBe('deploy');
    expect(closestCommand('lgos', IDS)).toBe('logs');
    expect(closestCommand('new servce', IDS.map((id) => id.replace(':', ' ')))).toBe('new service');
    expect(closestCommand('nope', IDS)).toBeUndefined();
    expect(closestCommand('kubectl', IDS)).toBeUndefined();
  });

  it('names the command that takes no arguments and the words after it', () => {
    expect(lines(['down', 'orders', 'stock'])).toEqual(['error: `msx down` takes no arguments, but got "orders stock"', '  next: see `msx down --help`']);
    expect(lines(['up', 'down'], 'help')).toEqual(['error: unknown command "up down"', '  next: `msx help up` shows `msx up`, and its arguments']);
  });

  it('is exit 2 with one JSON object on stdout under --json', () => {
    const result = runCli(['deploi', '--json'], REPO_ROOT);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: { message: 'unknown command "deploi"', details: ['  next: did you mean `msx deploy`? (`msx help` lists every command)'], exitCode: 2 },
    });
  });
});
