import { Config, type Command } from '@oclif/core';
import { expect, vi } from 'vitest';
import { ExternalError, UserError, ValidationError } from '../../src/errors.js';
import { REPO_ROOT } from '../helpers/cli.js';

// Commands run in this process, through oclif's own Command.run (parse, run,
// catch, --json), so that vi.mock of the service module a command imports
// takes effect. The built CLI as a user runs it is tested in bad-input.test.ts
// and the e2e tests; here only flags → options, output and exit codes.

export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

let config: Config | undefined;

/** Runs `command` with `argv` and gives what it printed and the exit code it set (0 when none). */
export async function runCommand(command: Command.Class, argv: string[]): Promise<CommandRun> {
  config ??= await Config.load(REPO_ROOT);
  const out: string[] = [];
  const err: string[] = [];
  // oclif's ux.stdout goes through console.log; msx writes to the streams directly.
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0),
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0),
    vi.spyOn(console, 'log').mockImplementation((...args) => void out.push(`${args.join(' ')}\n`)),
    vi.spyOn(console, 'error').mockImplementation((...args) => void err.push(`${args.join(' ')}\n`)),
  ];
  const exitCodeBefore = process.exitCode;
  process.exitCode = undefined;
  // vitest sets NODE_ENV=test, which makes oclif emit developer warnings a user never sees (as runCli drops it).
  const nodeEnv = process.env.NODE_ENV;
  delete process.env.NODE_ENV;
  try {
    await command.run(argv, config);
    return { code: Number(process.exitCode ?? 0), stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.env.NODE_ENV = nodeEnv;
    process.exitCode = exitCodeBefore;
    for (const spy of spies) spy.mockRestore();
  }
}

/** One case per error class of src/errors.ts, and what the one error handler makes of it. */
export interface ErrorCase {
  name: string;
  error: () => Error;
  code: number;
  /** The first lines of stderr (the whole of it for the classes msx raises). */
  stderr: string[];
  json: { message: string; details: string[] | ((details: string[]) => void); exitCode: number };
}

export const ERROR_CASES: ErrorCase[] = [
  {
    name: 'a UserError: its message, the next step, its exit code',
    error: () => new UserError('port 3000 is in use', { hint: 'stop what uses it', exit: 'conflict' }),
    code: 7,
    stderr: ['error: port 3000 is in use', '  next: stop what uses it'],
    json: { message: 'port 3000 is in use', details: ['  next: stop what uses it'], exitCode: 7 },
  },
  {
    name: 'an ExternalError: the command and the tail of its output, exit 4',
    error: () => new ExternalError('npm install failed', 'npm install', 'npm ERR! code E404\nnpm ERR! 404 Not Found'),
    code: 4,
    stderr: ['error: npm install failed (command: npm install)', '  | npm ERR! code E404', '  | npm ERR! 404 Not Found'],
    json: { message: 'npm install failed (command: npm install)', details: ['  | npm ERR! code E404', '  | npm ERR! 404 Not Found'], exitCode: 4 },
  },
  {
    name: 'a ValidationError: every problem at once, exit 2',
    error: () => new ValidationError(['msx.yaml:3:5 services.a.port: is required', 'msx.yaml:7:5 services.b.kind: invalid'], 'fix msx.yaml'),
    code: 2,
    stderr: ['error: msx.yaml:3:5 services.a.port: is required', 'error: msx.yaml:7:5 services.b.kind: invalid', '  next: fix msx.yaml'],
    json: { message: 'msx.yaml:3:5 services.a.port: is required', details: ['error: msx.yaml:7:5 services.b.kind: invalid', '  next: fix msx.yaml'], exitCode: 2 },
  },
  {
    name: 'any other Error: a bug in msx, exit 1, with its stack',
    error: () => new TypeError("Cannot read properties of undefined (reading 'port')"),
    code: 1,
    stderr: ['error: unexpected failure (a bug in msx)', "TypeError: Cannot read properties of undefined (reading 'port')"],
    json: {
      message: 'unexpected failure (a bug in msx)',
      details: (details) => expect(details[0]).toMatch(/^TypeError: Cannot read properties of undefined \(reading 'port'\)\n\s+at /),
      exitCode: 1,
    },
  },
];

/** The run printed the error as the case says, on stderr and nothing on stdout. */
export function expectErrorOutput(run: CommandRun, errorCase: ErrorCase): void {
  expect(run.code).toBe(errorCase.code);
  expect(run.stdout).toBe('');
  expect(run.stderr.split('\n').slice(0, errorCase.stderr.length)).toEqual(errorCase.stderr);
}

/** With --json: one `{"error": ...}` document on stdout, nothing on stderr. */
export function expectJsonError(run: CommandRun, errorCase: ErrorCase): void {
  expect(run.code).toBe(errorCase.code);
  expect(run.stderr).toBe('');
  const { error } = JSON.parse(run.stdout) as { error: { message: string; details: string[]; exitCode: number } };
  expect(error.message).toBe(errorCase.json.message);
  expect(error.exitCode).toBe(errorCase.json.exitCode);
  if (typeof errorCase.json.details === 'function') errorCase.json.details(error.details);
  else expect(error.details).toEqual(errorCase.json.details);
}
