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

/** A tool or system outside msx failed: which command, and the tail of its output. */
export class ExternalError extends Error {
  readonly exitCode: number;

  constructor(
    message: string,
    readonly command: string,
    readonly outputTail: string = '',
    exit: ExitCodeName = 'externalFailure',
  ) {
    super(message);
    this.name = 'ExternalError';
    this.exitCode = ExitCode[exit];
  }
}

/** Invalid input collected as a list (msx.yaml problems): all are shown at once. */
export class ValidationError extends UserError {
  constructor(readonly problems: string[], hint?: string) {
    super(problems.join('\n'), { hint, exit: 'usage' });
    this.name = 'ValidationError';
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
    const message = (error as Error).message
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('See more help'))
      .join(': ');
    return { lines: [`error: ${message}`, '  next: see --help for the flags and arguments'], exitCode: oclifExit };
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { lines: ['error: unexpected failure (a bug in msx)', detail], exitCode: ExitCode.unexpected };
}

/** oclif's parse errors (unknown flag, missing arg) carry their own exit code, 2. */
function oclifExitCode(error: unknown): number | undefined {
  const exit = (error as { oclif?: { exit?: number } } | undefined)?.oclif?.exit;
  return typeof exit === 'number' ? exit : undefined;
}
