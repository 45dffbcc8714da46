/** A failure is explained by what the service said last: the same shape on every runtime. */
export function withLastLines(detail: string, lines: readonly string[], count = 5): string {
  const tail = lines.slice(-count);
  return tail.length === 0 ? detail : `${detail}; last lines:\n    ${tail.join('\n    ')}`;
}
