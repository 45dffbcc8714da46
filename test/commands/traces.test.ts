import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Traces from '../../src/commands/traces.js';
import { recentTraces } from '../../src/services/traces.js';
import type { TraceSummary } from '../../src/state/span-store.js';
import { ERROR_CASES, expectErrorOutput, expectJsonError, runCommand } from './run-command.js';

// `msx traces` through oclif, its service mocked: flags → options, the table, --json, errors.
vi.mock('../../src/services/traces.js', () => ({ recentTraces: vi.fn() }));
const traces = vi.mocked(recentTraces);

const NOW = Date.parse('2026-12-01T09:00:00.000Z');
const SUMMARY: TraceSummary = {
  traceId: '4bf92f3577b34da6a3ce929b0e0e4736',
  root: { name: 'POST /orders', service: 'orders' },
  services: ['mailer', 'orders', 'stock'],
  startMs: NOW - 1500.25,
  durationMs: 42.37,
  errorCount: 1,
  spanCount: 6,
};
const ORPHAN: TraceSummary = { traceId: '0af7651916cd43dd8448eb211c80319c', services: ['stock'], startMs: NOW - 86_400_000 * 2, durationMs: 1250, errorCount: 0, spanCount: 1 };

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: NOW });
  traces.mockReset().mockResolvedValue({ traces: [SUMMARY, ORPHAN], stored: true });
});
afterEach(() => vi.useRealTimers());

describe('msx traces (service mocked)', () => {
  it('passes every flag; defaults: latest first, 20', async () => {
    await runCommand(Traces, ['--slowest', '--errors', '--service', 'orders', '--since', '10m', '--limit', '5']);
    expect(traces).toHaveBeenLastCalledWith({ cwd: process.cwd(), service: 'orders', since: '10m', errors: true, slowest: true, limit: 5 });
    await runCommand(Traces, []);
    expect(traces).toHaveBeenLastCalledWith({ cwd: process.cwd(), service: undefined, since: undefined, errors: undefined, slowest: undefined, limit: 20 });
  });

  it('prints one row per trace: id, root, services, start (UTC), duration, spans, errors', async () => {
    const run = await runCommand(Traces, []);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TRACE +ROOT +SERVICES +START +DURATION +SPANS +ERRORS$/);
    expect(lines[1]).toMatch(/^4bf92f3577b34da6a3ce929b0e0e4736 +orders POST \/orders +mailer,orders,stock +08:59:58\.499 +42\.4 ms +6 +1$/);
    expect(lines[2]).toMatch(/^0af7651916cd43dd8448eb211c80319c +\(root span not received\) +stock +2026-11-29 09:00:00 +1\.25 s +1 +0$/);
  });

  it('--json: the summaries with an ISO start', async () => {
    const run = await runCommand(Traces, ['--json']);
    expect(JSON.parse(run.stdout)).toEqual({ traces: [{ ...SUMMARY, start: '2026-12-01T08:59:58.499Z' }, { ...ORPHAN, start: '2026-11-29T09:00:00.000Z' }] });
  });

  it('says on stderr whether nothing matched or nothing was ever stored', async () => {
    traces.mockResolvedValueOnce({ traces: [], stored: true });
    expect(await runCommand(Traces, ['--errors'])).toMatchObject({ code: 0, stdout: '', stderr: 'msx: no traces match\n' });
    traces.mockResolvedValueOnce({ traces: [], stored: false });
    expect((await runCommand(Traces, [])).stderr).toMatch(/^msx: no traces yet: start services with `msx up`/);
    traces.mockResolvedValueOnce({ traces: [], stored: false });
    expect(JSON.parse((await runCommand(Traces, ['--json'])).stdout)).toEqual({ traces: [] });
  });

  for (const errorCase of ERROR_CASES) {
    it(`reports ${errorCase.name}`, async () => {
      traces.mockRejectedValue(errorCase.error());
      expectErrorOutput(await runCommand(Traces, []), errorCase);
      expectJsonError(await runCommand(Traces, ['--json']), errorCase);
    });
  }
});
