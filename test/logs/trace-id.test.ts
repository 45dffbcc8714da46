import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { parseTimeBound } from '../../src/logs/time-window.js';
import { parseTraceId } from '../../src/logs/trace-id.js';
import { TRACE } from './fixtures.js';

describe('parseTraceId', () => {
  it('accepts 32 lowercase hex characters, or a whole traceparent', () => {
    expect(parseTraceId(TRACE)).toBe(TRACE);
    expect(parseTraceId(`00-${TRACE}-00f067aa0ba902b7-01`)).toBe(TRACE);
    expect(parseTraceId(`  ${TRACE}\n`)).toBe(TRACE);
  });

  it.each([
    ['too short', TRACE.slice(1)],
    ['not hex', `${TRACE.slice(0, 31)}g`],
    ['upper case', TRACE.toUpperCase()],
    ['traceparent with a short span id', `00-${TRACE}-00f067aa0ba902-01`],
    ['traceparent of version ff', `ff-${TRACE}-00f067aa0ba902b7-01`],
    ['all zeros', '0'.repeat(32)],
    ['empty', ''],
  ])('refuses %s as a usage error (exit 2) saying the expected format', (_name, value) => {
    let error: unknown;
    try {
      parseTraceId(value);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as UserError).message).toMatch(/expected 32 lowercase hex characters .* or a traceparent \(00-<32 hex>-<16 hex>-<2 hex>\)/);
  });
});

describe('parseTimeBound', () => {
  const now = Date.parse('2026-11-26T12:00:00.000Z');

  it('counts a duration back from now', () => {
    expect(parseTimeBound('10m', '--since', now)).toBe(now - 600_000);
    expect(parseTimeBound('1h30m', '--since', now)).toBe(now - 5_400_000);
    expect(parseTimeBound('90s', '--since', now)).toBe(now - 90_000);
    expect(parseTimeBound('2d', '--since', now)).toBe(now - 172_800_000);
  });

  it('reads ISO times, with or without a zone', () => {
    expect(parseTimeBound('2026-11-26T06:39:15Z', '--since', now)).toBe(Date.parse('2026-11-26T06:39:15Z'));
    expect(parseTimeBound('2026-11-26T06:39:15.250+01:00', '--until', now)).toBe(Date.parse('2026-11-26T05:39:15.250Z'));
    expect(parseTimeBound('2026-11-26', '--since', now)).toBe(new Date(2026, 10, 26).getTime());
  });

  it.each(['10', 'ten minutes', '10 m', '2026-13-45', '-5m'])('refuses %j naming the flag and the expected forms', (value) => {
    expect(() => parseTimeBound(value, '--since', now)).toThrow(/--since ".*" is not a duration or a time: expected e\.g\. 30s, 10m/);
  });
});
