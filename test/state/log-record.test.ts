import { describe, expect, it } from 'vitest';
import { parseLogFileLine } from '../../src/logs/parse-line.js';
import { decodeLogRecord, encodeLogRecord, toLogLine, traceIdOfFields } from '../../src/state/log-record.js';

const AT = '2026-12-01T08:00:00.123Z';

describe('the .msx/logs record: one codec for the writer and every reader', () => {
  it('a JSON line round-trips verbatim, spacing and key order kept', () => {
    // Given a service line with unusual spacing
    const text = '{"level":30, "msg":"placed","trace_id":"abc"}';
    // When written and read back
    const raw = encodeLogRecord(toLogLine('orders', 'stdout', text, AT)).trimEnd();
    const record = decodeLogRecord(raw);
    // Then the reader gets the very bytes the service wrote, and its fields
    expect(record).toMatchObject({ ts: AT, stream: 'stdout', line: { level: 30, msg: 'placed', trace_id: 'abc' }, verbatim: text });
    expect(parseLogFileLine(raw, 'orders', 0)).toMatchObject({ text, receivedAt: AT, fields: { trace_id: 'abc' } });
  });

  it('a plain line is stored as a JSON string and read back as text', () => {
    const raw = encodeLogRecord(toLogLine('orders', 'stderr', 'Error: "boom"\n  at x', AT)).trimEnd();
    expect(decodeLogRecord(raw)).toEqual({ ts: AT, stream: 'stderr', line: 'Error: "boom"\n  at x' });
    expect(parseLogFileLine(raw, 'orders', 0)).toMatchObject({ text: 'Error: "boom"\n  at x', stream: 'stderr' });
  });

  it('a line that is not a record is not decoded', () => {
    expect(decodeLogRecord('{"ts":"2026-11-26T06:39')).toBeUndefined();
    expect(decodeLogRecord('hello')).toBeUndefined();
    expect(decodeLogRecord('{"service":"x"}')).toBeUndefined();
  });

  it('the trace id comes from trace_id, else traceId', () => {
    expect(traceIdOfFields({ trace_id: 'a', traceId: 'b' })).toBe('a');
    expect(traceIdOfFields({ traceId: 'b' })).toBe('b');
    expect(traceIdOfFields({ trace_id: 7 })).toBeUndefined();
    expect(traceIdOfFields(undefined)).toBeUndefined();
  });
});
