import { describe, expect, it } from 'vitest';
import { entryFilter } from '../../src/logs/filters.js';
import { entry, OTHER_TRACE, TRACE } from './fixtures.js';

const T0 = Date.parse('2026-11-26T06:00:00.000Z');
const lines = [
  entry('orders', T0, { level: 'debug', trace_id: TRACE, msg: 'loaded' }),
  entry('orders', T0 + 1000, { level: 'info', trace_id: TRACE, msg: 'order placed' }),
  entry('stock', T0 + 2000, { level: 'warn', trace_id: OTHER_TRACE, msg: 'low stock' }),
  entry('stock', T0 + 3000, { level: 'error', trace_id: TRACE, msg: 'reserve failed' }, { stack: ['Error: ECONNREFUSED', '    at connect (net.js:1:1)'] }),
  entry('mailer', T0 + 4000, undefined, { text: 'crashed', stream: 'stderr' }),
  entry('mailer', T0 + 5000, undefined, { text: 'listening' }),
];
const pick = (options: Parameters<typeof entryFilter>[0]) => lines.filter(entryFilter(options)).map((e) => e.fields?.msg ?? e.text);

describe('entryFilter', () => {
  it('keeps everything when no filter is asked for', () => {
    expect(pick({})).toHaveLength(lines.length);
  });

  it('--trace-id keeps only lines whose trace_id is that id', () => {
    expect(pick({ traceId: TRACE })).toEqual(['loaded', 'order placed', 'reserve failed']);
  });

  it('--level keeps that level and above; a plain stderr line counts as error', () => {
    expect(pick({ minLevel: 'warn' })).toEqual(['low stock', 'reserve failed', 'crashed']);
    expect(pick({ minLevel: 'error' })).toEqual(['reserve failed', 'crashed']);
    expect(pick({ minLevel: 'trace' })).toHaveLength(lines.length);
  });

  it('--since and --until bound the time, both inclusive', () => {
    expect(pick({ since: T0 + 2000 })).toEqual(['low stock', 'reserve failed', 'crashed', 'listening']);
    expect(pick({ until: T0 + 1000 })).toEqual(['loaded', 'order placed']);
    expect(pick({ since: T0 + 1000, until: T0 + 2000 })).toEqual(['order placed', 'low stock']);
  });

  it('--grep matches the line or its stack trace, case-sensitively', () => {
    expect(pick({ grep: 'stock' })).toEqual(['low stock']);
    expect(pick({ grep: 'ECONNREFUSED' })).toEqual(['reserve failed']);
    expect(pick({ grep: 'econnrefused' })).toEqual([]);
    expect(pick({ grep: 'crash' })).toEqual(['crashed']);
  });

  it('combines filters: all must pass', () => {
    expect(pick({ traceId: TRACE, minLevel: 'info', until: T0 + 2500 })).toEqual(['order placed']);
  });
});
