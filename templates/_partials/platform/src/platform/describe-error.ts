/** fetch hides the useful part (ECONNREFUSED, ENOTFOUND) in `cause`. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return cause ? `${error.message}: ${code ?? cause.message}` : error.message;
}
