import { describe, expect, it } from 'vitest';
import { entryLevel, toLogLineJson } from '../../src/logs/log-entry.js';
import { isContinuation, parseLogFileLine, parseServiceLine } from '../../src/logs/parse-line.js';
import { StackAttacher } from '../../src/logs/stack-trace.js';
import type { LogEntry } from '../../src/logs/log-entry.js';
import { pino, record, TRACE } from './fixtures.js';

const TS = '2026-11-26T06:39:15.030Z';

describe('parseLogFileLine: one line of .msx/logs/<service>.ndjson', () => {
  it('keeps a JSON line as fields, verbatim as text, ordered by the service time', () => {
    const line = pino({ service: 'orders', time: '2026-11-26T06:39:15.024Z', trace: TRACE, span: '137a49870ecd47f4', status: 200, msg: 'request completed' });
    const raw = record('orders', TS, line);
    const entry = parseLogFileLine(raw, 'orders', 0);
    expect(entry.fields).toEqual(line);
    expect(entry.text).toBe(JSON.stringify(line));
    expect(entry.time).toBe(Date.parse('2026-11-26T06:39:15.024Z'));
    expect(entry.receivedAt).toBe(TS);
    expect(entry.stream).toBe('stdout');
  });

  it('takes the service JSON exactly as written (spacing and all), so --grep sees what grep sees', () => {
    const raw = `{"ts":"${TS}","service":"orders","stream":"stdout","line":{"level":"info", "msg":"spaced"}}`;
    expect(parseLogFileLine(raw, 'orders', 0).text).toBe('{"level":"info", "msg":"spaced"}');
  });

  it('keeps a non-JSON line as a plain message at msx receive time', () => {
    const entry = parseLogFileLine(record('orders', TS, 'Server listening on :3000', 'stderr'), 'orders', 0);
    expect(entry.fields).toBeUndefined();
    expect(entry.text).toBe('Server listening on :3000');
    expect(entry.stream).toBe('stderr');
    expect(entry.time).toBe(Date.parse(TS));
  });

  it('reads pino epoch-ms times and falls back to ts for an unparseable time', () => {
    expect(parseLogFileLine(record('a', TS, { level: 30, time: 1_700_000_000_123, msg: 'x' }), 'a', 0).time).toBe(1_700_000_000_123);
    expect(parseLogFileLine(record('a', TS, { level: 'info', time: 'yesterday', msg: 'x' }), 'a', 0).time).toBe(Date.parse(TS));
  });

  it('keeps a line that is not a record (cut short, hand-edited) as text at the previous line time', () => {
    const entry = parseLogFileLine('{"ts":"2026-11-26T06:39', 'orders', 1234);
    expect(entry).toMatchObject({ text: '{"ts":"2026-11-26T06:39', time: 1234, service: 'orders' });
    expect(entry.fields).toBeUndefined();
  });

  it('names the entry after the file it came from', () => {
    expect(parseLogFileLine(record('someone-else', TS, 'x'), 'orders', 0).service).toBe('orders');
  });
});

describe('parseServiceLine: raw output of a service (Docker, Kubernetes sources)', () => {
  it('parses a JSON object line and keeps anything else as text', () => {
    expect(parseServiceLine('a', 'stdout', TS, '{"level":"warn","msg":"slow"}').fields).toEqual({ level: 'warn', msg: 'slow' });
    expect(parseServiceLine('a', 'stdout', TS, '{not json').fields).toBeUndefined();
    expect(parseServiceLine('a', 'stdout', TS, '[1,2]').fields).toBeUndefined();
  });
});

describe('levels', () => {
  it('reads labels and pino numbers; a plain stderr line counts as error, plain stdout as info', () => {
    const at = (fields: Record<string, unknown> | undefined, stream: 'stdout' | 'stderr' = 'stdout') =>
      entryLevel({ service: 'a', stream, receivedAt: TS, time: 0, text: '', fields });
    expect(at({ level: 'warn' })).toBe(40);
    expect(at({ level: 'ERROR' })).toBe(50);
    expect(at({ level: 60 })).toBe(60);
    expect(at({ msg: 'no level' })).toBe(30);
    expect(at(undefined, 'stderr')).toBe(50);
    expect(at(undefined, 'stdout')).toBe(30);
  });
});

describe('stack traces stay attached to their line', () => {
  const parse = (lines: string[]): LogEntry[] => {
    const attacher = new StackAttacher();
    const out: LogEntry[] = [];
    lines.forEach((raw, i) => attacher.push(parseLogFileLine(raw, 'payments', i), out));
    attacher.flush(out);
    return out;
  };

  it('attaches consecutive continuation lines of the same stream to the line before them', () => {
    const entries = parse([
      record('payments', TS, pino({ service: 'payments', time: TS, level: 'error', msg: 'payment failed', trace: TRACE })),
      record('payments', TS, 'Error: card declined'),
      record('payments', TS, '    at charge (/app/src/payments.ts:42:11)'),
      record('payments', TS, '    at processTicksAndRejections (node:internal/process/task_queues:95:5)'),
      record('payments', TS, pino({ service: 'payments', time: TS, msg: 'next request' })),
    ]);
    expect(entries).toHaveLength(2);
    expect(entries[0].fields?.msg).toBe('payment failed');
    expect(entries[0].stack).toEqual([
      'Error: card declined',
      '    at charge (/app/src/payments.ts:42:11)',
      '    at processTicksAndRejections (node:internal/process/task_queues:95:5)',
    ]);
    expect(entries[1].stack).toBeUndefined();
  });

  it('does not attach a line of the other stream, nor a plain line that is no continuation', () => {
    const entries = parse([
      record('payments', TS, pino({ service: 'payments', time: TS, msg: 'on stdout' })),
      record('payments', TS, '    at f (x.ts:1:1)', 'stderr'),
      record('payments', TS, 'Server listening'),
      record('payments', TS, '    at g (y.ts:2:2)'),
    ]);
    expect(entries.map((e) => e.text)).toEqual([expect.stringContaining('on stdout'), '    at f (x.ts:1:1)', 'Server listening']);
    expect(entries[0].stack).toBeUndefined();
    expect(entries[2].stack).toEqual(['    at g (y.ts:2:2)']);
  });

  it('recognises the shapes of a stack trace', () => {
    for (const text of ['    at f (a.ts:1:2)', 'TypeError: x is not a function', 'Error: boom', '  [cause]: Error: inner', 'Caused by: x', '}', '    ... 4 more']) {
      expect(isContinuation(text), text).toBe(true);
    }
    for (const text of ['Server listening', 'GET /orders 200', '', '{"level":"info"}']) expect(isContinuation(text), text).toBe(false);
  });

  it('--json keeps the stack beside the line', () => {
    const [first] = parse([record('payments', TS, pino({ service: 'payments', time: TS, msg: 'x' })), record('payments', TS, '    at f (a.ts:1:2)')]);
    expect(toLogLineJson(first)).toMatchObject({ service: 'payments', line: { msg: 'x' }, stack: ['    at f (a.ts:1:2)'] });
  });
});
