import { UserError } from '../errors.js';
import { durationMs } from '../models/time.js';

/** A date, or a date and time (with optional seconds, fraction and zone). */
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * `--since` / `--until` as epoch ms: a duration counts back from `now`
 * (`10m` = ten minutes ago), else an ISO date or date-time. A time without a
 * zone is the local time, as people type it.
 */
export function parseTimeBound(value: string, flag: string, now = Date.now()): number {
  const text = value.trim();
  const ago = durationMs(text);
  if (ago !== undefined) return now - ago;
  // A bare date would parse as UTC midnight; with a time added it is local like the rest.
  const iso = text.length === 10 ? `${text}T00:00` : text.replace(' ', 'T');
  const time = ISO.test(text) ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new UserError(`${flag} "${value}" is not a duration or a time: expected e.g. 30s, 10m, 1h30m, 2d, or an ISO time like 2026-11-26T06:39:15Z`);
  }
  return time;
}
