import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Logs from '../../src/commands/logs.js';
import type { LogEntry } from '../../src/logs/log-entry.js';
import type { TraceHop } from '../../src/logs/trace-tree.js';
import { streamLogs, traceLogs, type LogStream } from '../../src/services/logs.js';
import { ERROR_CASES, expectErrorOutput, expectJsonError, runCommand } from './run-command.js';

// `msx logs` through oclif: the command → cli/logs-run.ts → services/logs.ts (mocked).
vi.mock('../../src/services/logs.js', () => ({ streamLogs: vi.fn(), traceLogs: vi.fn() }));
const stream = vi.mocked(streamLogs);
const trace = vi.mocked(traceLogs);

const NOW = Date.parse('2026-12-01T09:00:00.000Z');
const TRACE_ID = '4bf92f3577b34da6a3ce929b0e0e4736';
const entry = (service: string, msg: string, ms = 0): LogEntry => ({
  service, stream: 'stdout', receivedAt: new Date(NOW - 1000 + ms).toISOString(), time: NOW - 1000 + ms,
  text: JSON.stringify({ level: 'info', msg }), fields: { level: 'info', msg, trace_id: TRACE_ID },
});
const ENTRIES = [entry('orders', 'order placed'), entry('stock', 'reserved', 5)];
const HOP: TraceHop = { service: 'orders', spanId: '00f067aa0ba902b7', start: ENTRIES[0].receivedAt, durationMs: 20, status: '201', error: false, lines: 2, children: [] } as unknown as TraceHop;

async function* batches(...sets: LogEntry[][]): AsyncIterable<LogEntry[]> {
  yield* sets;
}
const streamOf = (services: string[], ...sets: LogEntry[][]): LogStream => ({ services, entries: batches(...sets) });

// logs-run.ts adds an EPIPE listener to stdout per run (one run per process in the CLI); drop them after each test.
let stdoutErrorListeners: Function[] = [];
beforeEach(() => {
  stdoutErrorListeners = process.stdout.listeners('error');
  vi.useFakeTimers({ toFake: ['Date'], now: NOW });
  stream.mockReset().mockImplementation(async () => streamOf(['orders', 'stock'], ENTRIES));
  trace.mockReset().mockResolvedValue({ traceId: TRACE_ID, tree: [HOP], lines: ENTRIES });
});
afterEach(() => {
  vi.useRealTimers();
  for (const listener of process.stdout.listeners('error')) {
    if (!stdoutErrorListeners.includes(listener)) process.stdout.off('error', listener as (error: Error) => void);
  }
});

describe('msx logs (service mocked)', () => {
  it('passes the services and every filter; durations count back from now', async () => {
    const run = await runCommand(Logs, ['orders', 'stock', '--level', 'warn', '--since', '10m', '--until', '1m', '--grep', 'order placed', '--runtime', 'kubernetes', '--env', 'staging', '--previous']);
    expect(run.code).toBe(0);
    expect(stream).toHaveBeenCalledExactlyOnceWith(
      {
        cwd: process.cwd(), runtime: 'kubernetes', services: ['orders', 'stock'], env: 'staging', previous: true,
        filter: { traceId: undefined, since: NOW - 600_000, until: NOW - 60_000, minLevel: 'warn', grep: 'order placed' },
      },
      undefined,
    );
  });

  it('defaults: every service, no filter, not following', async () => {
    await runCommand(Logs, []);
    expect(stream).toHaveBeenCalledExactlyOnceWith(
      { cwd: process.cwd(), runtime: undefined, services: [], env: undefined, previous: undefined, filter: { traceId: undefined, since: undefined, until: undefined, minLevel: undefined, grep: undefined } },
      undefined,
    );
  });

  it('prints each line with its service; --json one JSON object per line', async () => {
    const text = await runCommand(Logs, []);
    expect(text.stdout).toMatch(/^orders +\| .*order placed.*\nstock +\| .*reserved.*\n$/);
    const json = await runCommand(Logs, ['--json']);
    expect(json.stdout.trimEnd().split('\n').map((line) => JSON.parse(line))).toEqual([
      { time: ENTRIES[0].receivedAt, service: 'orders', stream: 'stdout', receivedAt: ENTRIES[0].receivedAt, line: ENTRIES[0].fields },
      { time: ENTRIES[1].receivedAt, service: 'stock', stream: 'stdout', receivedAt: ENTRIES[1].receivedAt, line: ENTRIES[1].fields },
    ]);
  });

  it('says so on stderr when no line matched, or no service has logs yet', async () => {
    stream.mockImplementationOnce(async () => streamOf(['orders']));
    expect((await runCommand(Logs, ['--grep', 'nothing'])).stderr).toBe('msx: no log lines match\n');
    stream.mockImplementationOnce(async () => streamOf([]));
    expect((await runCommand(Logs, [])).stderr).toBe('msx: no log lines yet: start services with `msx up`\n');
  });

  it('--follow passes an abort signal for Ctrl-C', async () => {
    await runCommand(Logs, ['--follow']);
    expect(stream.mock.calls[0][1]).toEqual({ signal: expect.any(AbortSignal) });
  });

  it('--trace-id takes a whole traceparent and asks for that trace id', async () => {
    const run = await runCommand(Logs, ['--trace-id', `00-${TRACE_ID}-00f067aa0ba902b7-01`]);
    expect(run.code).toBe(0);
    expect(trace).toHaveBeenCalledExactlyOnceWith(expect.objectContaining({ filter: expect.objectContaining({ traceId: TRACE_ID }) }));
    expect(stream).not.toHaveBeenCalled();
    expect(run.stdout).toContain(`trace ${TRACE_ID}`);
  });

  it('--trace-id --json prints { traceId, tree, lines } as one document', async () => {
    const run = await runCommand(Logs, ['--trace-id', TRACE_ID, '--json']);
    const json = JSON.parse(run.stdout);
    expect(json).toEqual({ traceId: TRACE_ID, tree: [HOP], lines: [expect.objectContaining({ service: 'orders' }), expect.objectContaining({ service: 'stock' })] });
  });

  it.each([
    ['--follow with --until', ['--follow', '--until', '1m'], 'error: --until cannot be used with --follow'],
    ['--since after --until', ['--since', '1m', '--until', '10m'], 'error: --since 1m is after --until 10m: no line can match'],
    ['a malformed trace id', ['--trace-id', 'xyz'], 'error: trace id "xyz" is malformed: expected 32 lowercase hex'],
  ])('%s is a usage error (exit 2) and reads nothing', async (_what, argv, line) => {
    const run = await runCommand(Logs, argv);
    expect(run.code).toBe(2);
    expect(run.stderr.startsWith(line)).toBe(true);
    expect(stream).not.toHaveBeenCalled();
    expect(trace).not.toHaveBeenCalled();
  });

  it.each(ERROR_CASES)('$name', async (errorCase) => {
    stream.mockRejectedValueOnce(errorCase.error());
    expectErrorOutput(await runCommand(Logs, []), errorCase);
    trace.mockRejectedValueOnce(errorCase.error());
    expectJsonError(await runCommand(Logs, ['--trace-id', TRACE_ID, '--json']), errorCase);
  });
});
