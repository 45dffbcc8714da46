import { renderError } from '../errors.js';

/**
 * The one place errors become output and an exit code (errors.ts has the
 * table): lines on stderr, or with --json one `{"error": ...}` object on
 * stdout. Used by the base command and by the fast path (fast-path.ts).
 */
export function writeError(error: unknown, json: boolean): void {
  const rendered = renderError(error);
  if (json) {
    const [first, ...rest] = rendered.lines;
    process.stdout.write(`${JSON.stringify({ error: { message: first.replace(/^error: /, ''), details: rest, exitCode: rendered.exitCode } })}\n`);
  } else {
    process.stderr.write(`${rendered.lines.join('\n')}\n`);
  }
  process.exitCode = rendered.exitCode;
}
