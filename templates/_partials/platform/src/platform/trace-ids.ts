import { randomFillSync } from "node:crypto";

// Random bytes come from a pool refilled once per 4 KiB: a randomBytes() call per id cost
// more CPU than all the rest of a request's trace handling.
const pool = Buffer.alloc(4096);
let used = pool.length;

/** A random id of `bytes` bytes as lowercase hex, never all zeros (W3C: invalid). */
export function newId(bytes: number): string {
  let id: string;
  do {
    if (used + bytes > pool.length) {
      randomFillSync(pool);
      used = 0;
    }
    id = pool.toString("hex", used, (used += bytes));
    // An all-zero id is invalid; the odds are negligible but the check is free.
  } while (/^0+$/.test(id));
  return id;
}
