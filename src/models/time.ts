import { UserError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PARTS = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/**
 * `90s`, `10m`, `1h30m`, `2d` → milliseconds; undefined when it is not a
 * duration. With `bareUnit`, a bare number counts in that unit (`90` = 90 s).
 */
export function durationMs(text: string, bareUnit?: 'ms' | 's'): number | undefined {
  const trimmed = text.trim();
  if (bareUnit && /^\d+(?:\.\d+)?$/.test(trimmed)) return Number(trimmed) * UNIT_MS[bareUnit];
  if (!PARTS.test(trimmed)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of trimmed.matchAll(PART)) ms += Number(amount) * UNIT_MS[unit];
  return ms;
}

/** A flag's duration, bare numbers in seconds: `90`, `90s`, `5m`, `1h30m`. */
export function parseDurationFlag(text: string, flag: string): number {
  const ms = durationMs(text, 's');
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) {
    throw new UserError(`${flag} "${text}" is not a duration`, { hint: 'use seconds or a unit: 90, 90s, 5m, 1h' });
  }
  return ms;
}

export interface Rfc3339Stamp {
  /** The whole second, as epoch milliseconds. */
  secondMs: number;
  /** The fraction of that second, 0-999,999,999. */
  nanos: number;
}

/** RFC3339Nano as Go writes it (Docker, Kubernetes): a fraction of 0-9 digits (trailing zeros dropped), zone Z or ±hh:mm. */
const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

export function parseRfc3339(text: string): Rfc3339Stamp | undefined {
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const secondMs = Date.parse(`${match[1]}${match[3]}`);
  return Number.isNaN(secondMs) ? undefined : { secondMs, nanos: Number((match[2] ?? '').padEnd(9, '0')) };
}

/** The same as nanoseconds since the epoch, so two can be compared exactly. */
export function rfc3339Nanos(text: string): bigint | undefined {
  const stamp = parseRfc3339(text);
  return stamp && BigInt(stamp.secondMs) * 1_000_000n + BigInt(stamp.nanos);
}

/** The promise, or an ETIMEDOUT error ("no answer in N s") once `ms` passed: for clients whose own timeouts do not cover a hung peer. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer in ${ms / 1000} s`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
