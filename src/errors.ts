/**
 * The few error classes msx raises, and the one table of exit codes.
 * Commands never call process.exit: they throw, and the base command maps the
 * error to one or two lines of output and an exit code from this table.
 */

export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notFound: 3,
  externalFailure: 4,
  runtimeUnavailable: 5,
  notReady: 6,
  conflict: 7,
  rolloutFailed: 8,
  interrupted: 130,
} as const;

export type ExitCodeName = keyof typeof ExitCode;

/** One line per code, shown in README and `msx --help`. */
export const exitCodeTable: ReadonlyArray<[number, string]> = [
  [ExitCode.ok, 'success'],
  [ExitCode.unexpected, 'unexpected error (a bug in msx: please report it)'],
  [ExitCode.usage, 'usage error or invalid input (flags, names, msx.yaml)'],
  [ExitCode.notFound, 'no msx workspace here, or a named thing does not exist'],
  [ExitCode.externalFailure, 'an external command failed (npm, docker build, ...)'],
  [ExitCode.runtimeUnavailable, 'runtime unavailable (Docker engine, cluster, broker)'],
  [ExitCode.notReady, 'a service did not become ready'],
  [ExitCode.conflict, 'conflict: already exists, already running, port in use'],
  [ExitCode.rolloutFailed, 'Kubernetes rollout failed'],
  [ExitCode.interrupted, 'interrupted (Ctrl-C)'],
];

/** A problem the user can fix: what is wrong (and where), and the next step. */
export class UserError extends Error {
  readonly exitCode: number;
  readonly hint?: string;

  constructor(message: string, options: { hint?: string; exit?: ExitCodeName } = {}) {
    super(message);
    this.name = 'UserError';
    this.hint = options.hint;
    this.exitCode = ExitCode[options.exit ?? 'usage'];
  }
}

/**
 * A tool or system outside msx failed: which command, and what it printed.
 * Every external command's output reaches the user through here, the same in
 * the foreground and from the detached supervisor: its first lines (where npm
 * and compilers name the cause) and its last (where they sum up), escape codes
 * and progress redraws taken out.
 */
export class ExternalError extends Error {
  readonly exitCode: number;
  /** The excerpt of the output that is shown (outputExcerpt). */
  readonly outputTail: string;

  constructor(
    message: string,
    readonly command: string,
    output = '',
    exit: ExitCodeName = 'externalFailure',
  ) {
    super(message);
    this.name = 'ExternalError';
    this.exitCode = ExitCode[exit];
    this.outputTail = outputExcerpt(output);
  }
}

// ESC [ … final byte; and the same with the ESC lost on the way (docker build streams show `[0m`, `[91m`).
const ANSI = /\x1b\[[0-9;?]*[ -\/]*[@-~]|\x1b[()][A-Z0-9]|\[(?:\d{1,3};)*\d{1,3}m/g;

/** A command's output as shown: no escape codes, no blank lines, the first `head` and last `tail` lines. */
export function outputExcerpt(output: string, head = 12, tail = 20): string {
  const lines = output
    .replace(ANSI, '')
    .split('\n')
    .map((line) => line.slice(line.lastIndexOf('\r') + 1).trimEnd())
    .filter((line) => line.trim() !== '');
  if (lines.length <= head + tail + 1) return lines.join('\n');
  return [...lines.slice(0, head), `… ${lines.length - head - tail} lines left out …`, ...lines.slice(-tail)].join('\n');
}

/** Invalid input collected as a list (msx.yaml problems): all are shown at once. */
export class ValidationError extends UserError {
  constructor(readonly problems: string[], hint?: string) {
    super(problems.join('\n'), { hint, exit: 'usage' });
    this.name = 'ValidationError';
  }
}

/** An error as data, so one process (the detached supervisor) can hand it to another (`msx up --detach`) unchanged. */
export interface ErrorJson {
  kind: 'user' | 'external' | 'unexpected';
  message: string;
  exitCode: number;
  hint?: string;
  command?: string;
  output?: string;
}

export function errorToJson(error: unknown): ErrorJson {
  if (error instanceof UserError) return { kind: 'user', message: error.message, exitCode: error.exitCode, hint: error.hint };
  if (error instanceof ExternalError) return { kind: 'external', message: error.message, exitCode: error.exitCode, command: error.command, output: error.outputTail };
  return { kind: 'unexpected', message: error instanceof Error ? (error.stack ?? error.message) : String(error), exitCode: ExitCode.unexpected };
}

export function errorFromJson(json: ErrorJson): Error {
  const exit = (Object.keys(ExitCode) as ExitCodeName[]).find((name) => ExitCode[name] === json.exitCode) ?? 'unexpected';
  switch (json.kind) {
    case 'user':
      return new UserError(json.message, { hint: json.hint, exit });
    case 'external':
      return new ExternalError(json.message, json.command ?? '', json.output, exit);
    case 'unexpected':
      return new Error(json.message);
  }
}

export interface RenderedError {
  lines: string[];
  exitCode: number;
}

/** Maps any thrown value to the lines to print (stderr) and the exit code. */
export function renderError(error: unknown): RenderedError {
  if (error instanceof UserError) {
    const lines = error.message.split('\n').map((line) => `error: ${line}`);
    if (error.hint) lines.push(`  next: ${error.hint}`);
    return { lines, exitCode: error.exitCode };
  }
  if (error instanceof ExternalError) {
    const lines = [`error: ${error.message} (command: ${error.command})`];
    if (error.outputTail) lines.push(...error.outputTail.split('\n').map((l) => `  | ${l}`));
    return { lines, exitCode: error.exitCode };
  }
  const oclifExit = oclifExitCode(error);
  if (oclifExit !== undefined) {
    return { lines: [`error: ${oclifMessage((error as Error).message)}`, '  next: see --help for the flags and arguments'], exitCode: oclifExit };
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { lines: ['error: unexpected failure (a bug in msx)', detail], exitCode: ExitCode.unexpected };
}

/**
 * oclif's parse error on one line: "Missing 1 required arg:" and the arg after it, without its
 * "The following error occurred:" preamble, and without its note on flags that take several
 * values unless such a flag was given (only then can it have swallowed the arguments).
 */
export function oclifMessage(message: string, argv: readonly string[] = process.argv): string {
  // An arg is listed as "name  description": "name — description".
  const lines = message
    .split('\n')
    .map((line) => line.trim().replace(/\s{2,}/, ' — ').replace(/\s{2,}/g, ' '))
    .filter((line) => line !== '' && !line.startsWith('See more help') && line !== 'The following error occurred:');
  const note = lines.findIndex((line) => line.startsWith('Note: '));
  if (note >= 0) {
    const flag = /^Note: (--[\w-]+) allows multiple values/.exec(lines[note])?.[1];
    const given = flag !== undefined && argv.some((arg) => arg === flag || arg.startsWith(`${flag}=`));
    if (!given) lines.splice(note, lines[note + 1]?.startsWith('Alternatively,') ? 2 : 1);
  }
  return lines.reduce((text, line) => (text === '' ? line : /[:.]$/.test(text) ? `${text} ${line}` : `${text}: ${line}`), '');
}

/** oclif's parse errors (unknown flag, missing arg) carry their own exit code, 2. */
function oclifExitCode(error: unknown): number | undefined {
  const exit = (error as { oclif?: { exit?: number } } | undefined)?.oclif?.exit;
  return typeof exit === 'number' ? exit : undefined;
}
