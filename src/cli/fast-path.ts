/**
 * `msx logs` without loading oclif. Importing @oclif/core and reading the
 * manifest costs ~100 ms on every run, more than the search itself now that
 * trace ids are indexed; `msx logs --trace-id` is run again and again while
 * debugging, and is measured against grep (bench/logs.sh).
 *
 * bin/run.js hands `logs` here first. Only plain, well-formed invocations are
 * taken: each flag known, given once, with its value; anything else — --help,
 * an unknown flag, a missing or doubtful value, `--`, an option value not in
 * its list, MSX_CONTENT_TYPE — goes to oclif as before, so its usage errors
 * and help stay the only ones. Both paths run the same code after parsing
 * (cli/logs-run.ts), and a test keeps LOGS_FLAGS equal to the oclif command's
 * flags and compares the two paths' output.
 */
import { LEVEL_NAMES } from '../logs/log-entry.js';
import { RUNTIME_NAMES } from '../models/names.js';

export interface FastFlag {
  type: 'boolean' | 'string';
  char?: string;
  options?: readonly string[];
}

/** The flags of `msx logs` (src/commands/logs.ts), `--json` included. */
export const LOGS_FLAGS: Readonly<Record<string, FastFlag>> = {
  'trace-id': { type: 'string' },
  follow: { type: 'boolean', char: 'f' },
  since: { type: 'string' },
  until: { type: 'string' },
  level: { type: 'string', options: LEVEL_NAMES },
  grep: { type: 'string' },
  runtime: { type: 'string', options: [...RUNTIME_NAMES] },
  env: { type: 'string' },
  previous: { type: 'boolean' },
  json: { type: 'boolean' },
};

export interface FastArgs {
  flags: Record<string, string | boolean>;
  args: string[];
}

/** The flags and arguments, or undefined when oclif should parse them (see above). */
export function parseFastArgs(argv: readonly string[], spec: Readonly<Record<string, FastFlag>>): FastArgs | undefined {
  const flags: Record<string, string | boolean> = {};
  const args: string[] = [];
  const byChar = new Map(Object.entries(spec).flatMap(([name, flag]) => (flag.char ? [[flag.char, name] as const] : [])));
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith('-')) {
      args.push(token);
      continue;
    }
    const equals = token.indexOf('=');
    const name = token.startsWith('--') ? token.slice(2, equals < 0 ? undefined : equals) : byChar.get(token.slice(1));
    const flag = name === undefined ? undefined : spec[name];
    if (!name || !flag || name in flags) return undefined;
    if (flag.type === 'boolean') {
      if (equals >= 0) return undefined;
      flags[name] = true;
      continue;
    }
    const value = equals >= 0 && token.startsWith('--') ? token.slice(equals + 1) : argv[++i];
    if (value === undefined || value === '' || value.startsWith('-')) return undefined;
    if (flag.options && !flag.options.includes(value)) return undefined;
    flags[name] = value;
  }
  return { flags, args };
}

/**
 * Runs `msx logs ARGV` when it is plain enough; false when oclif should.
 * Errors are rendered as the base command renders them.
 */
export async function runFastPath(command: string | undefined, argv: readonly string[]): Promise<boolean> {
  if (command !== 'logs' || process.env.MSX_CONTENT_TYPE !== undefined || process.env.MSX_NO_FAST_PATH) return false;
  const parsed = parseFastArgs(argv, LOGS_FLAGS);
  if (!parsed) return false;
  const { runLogs } = await import('./logs-run.js');
  const json = parsed.flags.json === true;
  try {
    const result = await runLogs(parsed.flags, parsed.args, { json, log: (text) => process.stdout.write(`${text}\n`) });
    if (result !== undefined && json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } catch (error) {
    const { writeError } = await import('./write-error.js');
    writeError(error, json);
  }
  return true;
}
