import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

// `msx help [COMMAND]` and `-h` are `--help`: the same text, exit 0.
describe('help', () => {
  it.each([
    [['help'], ['--help']],
    [['-h'], ['--help']],
    [['help', 'up'], ['up', '--help']],
    [['up', '-h'], ['up', '--help']],
    [['help', 'new', 'service'], ['new', 'service', '--help']],
    [['new', 'service', '-h'], ['new', 'service', '--help']],
    [['help', 'new'], ['new', '--help']],
  ])('msx %j prints what msx %j prints', (asked, reference) => {
    const given = runCli(asked, REPO_ROOT);
    const expected = runCli(reference, REPO_ROOT);
    expect(expected.code).toBe(0);
    expect(expected.stdout).toMatch(/USAGE|COMMANDS/);
    expect(given).toEqual(expected);
  });

  it('lists help among the commands, with the exit codes', () => {
    const { stdout } = runCli(['--help'], REPO_ROOT);
    expect(stdout).toMatch(/\n {2}help +Show help for msx/);
    expect(stdout).toMatch(/EXIT CODES[\s\S]*130 {2}interrupted/);
  });

  it.each([['up'], ['logs']])('msx %s --help shows [SERVICE...] in USAGE and ARGUMENTS', (command) => {
    const { stdout } = runCli([command, '--help'], REPO_ROOT);
    expect(stdout).toMatch(new RegExp(`USAGE\\n {2}\\$ msx ${command} \\[SERVICE\\.\\.\\.\\]`));
    expect(stdout).toMatch(/ARGUMENTS\n {2}\[SERVICE\.\.\.\] +only these services/);
  });
});
