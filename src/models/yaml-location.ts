import { isMap, isSeq, isScalar, type Document, type LineCounter, type Node } from 'yaml';

export type KeyPath = ReadonlyArray<string | number>;

/** `services.orders.port`, or `(root)` for the document itself. */
export function formatKeyPath(path: KeyPath): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

/**
 * Finds where a key path lives in the source text, as 1-based LINE:COL.
 * When the path does not exist (a missing key), the deepest existing parent is
 * used, so the user is pointed at the map the key belongs in.
 * With `atKey`, the position of the last key itself is given (for unknown keys).
 */
export function locate(doc: Document, lines: LineCounter, path: KeyPath, atKey = false): string {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const [index, segment] of path.entries()) {
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      const keyStart = rangeStart(pair.key);
      if (last && atKey && keyStart !== undefined) {
        offset = keyStart;
        break;
      }
      node = pair.value;
      offset = rangeStart(node) ?? keyStart ?? offset;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = node.items[segment];
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  const { line, col } = lines.linePos(offset);
  return `${line}:${col}`;
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0];
}
