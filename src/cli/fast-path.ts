/**
 * `msx logs` and `msx traces` without loading oclif. Importing @oclif/core
 * and reading the manifest costs 100-200 ms on every run, more than the
 * search itself now that trace ids and trace summaries are indexed; both are
 * run again and again while debugging, and are measured against grep
 * (bench/logs.sh, bench/traces.sh).
 *
 * bin/run.js hands `logs` and `traces` here first. Only plain, well-formed invocations are
 * taken: each flag known, given once, with its value; anything else — --help,
 * an unknown flag, a missing or doubtful value, `--`, an option value not in
 * its list, MSX_CONTENT_TYPE — goes to oclif as before, so its usage errors
 * and help stay the only ones. Both paths run the same code after parsing
 * (cli/logs-run.ts, cli/traces-run.ts), and a test keeps LOGS_FLAGS and
 * TRACES_FLAGS equal to the oclif commands' flags and compares the paths' output.
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

/** The flags of `msx traces` (src/commands/traces.ts), `--json` included; --limit is checked in runFastPath. */
export const TRACES_FLAGS: Readonly<Record<string, FastFlag>> = {
  slowest: { type: 'boolean' },
  errors: { type: 'boolean' },
  service: { type: 'string' },
  since: { type: 'string' },
  limit: { type: 'string' },
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
 * Runs `msx logs ARGV` or `msx traces ARGV` when plain enough; false when
 * oclif should. Errors are rendered as the base command renders them.
 */
export async function runFastPath(command: string | undefined, argv: readonly string[]): Promise<boolean> {
  if (process.env.MSX_CONTENT_TYPE !== undefined || process.env.MSX_NO_FAST_PATH) return false;
  const run = command === 'logs' ? fastLogs(argv) : command === 'traces' ? fastTraces(argv) : undefined;
  if (!run) return false;
  try {
    const result = await run.body();
    if (result !== undefined && run.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } catch (error) {
    const { writeError } = await import('./write-error.js');
    writeError(error, run.json);
  }
  return true;
}

interface FastRun {
  json: boolean;
  body(): Promise<unknown>;
}

const print = (text: string) => process.stdout.write(`${text}\n`);

function fastLogs(argv: readonly string[]): FastRun | undefined {
  const parsed = parseFastArgs(argv, LOGS_FLAGS);
  if (!parsed) return undefined;
  const json = parsed.flags.json === true;
  return { json, body: async () => (await import('./logs-run.js')).runLogs(parsed.flags, parsed.args, { json, log: print }) };
}

/** As oclif's Flags.integer({ min: 1 }) takes it; anything else gets oclif's own error. */
const LIMIT = /^[1-9][0-9]{0,8}$/;

function fastTraces(argv: readonly string[]): FastRun | undefined {
  const parsed = parseFastArgs(argv, TRACES_FLAGS);
  if (!parsed || parsed.args.length > 0) return undefined;
  const { limit, ...flags } = parsed.flags;
  if (limit !== undefined && !LIMIT.test(String(limit))) return undefined;
  const json = flags.json === true;
  const traceFlags = { ...flags, limit: limit === undefined ? undefined : Number(limit) } as import('./traces-run.js').TracesFlags;
  return { json, body: async () => (await import('./traces-run.js')).runTraces(traceFlags, { json, log: print }) };
}
