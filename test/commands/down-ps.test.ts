import { beforeEach, describe, expect, it, vi } from 'vitest';
import Down from '../../src/commands/down.js';
import Ps from '../../src/commands/ps.js';
import type { ServiceStatus } from '../../src/runtimes/runtime.js';
import { downServices, serviceStatuses } from '../../src/services/run-services.js';
import { ERROR_CASES, expectErrorOutput, expectJsonError, runCommand } from './run-command.js';

vi.mock('../../src/services/run-services.js', () => ({ downServices: vi.fn(), serviceStatuses: vi.fn() }));
const down = vi.mocked(downServices);
const ps = vi.mocked(serviceStatuses);

const STATUSES: ServiceStatus[] = [
  { service: 'orders', state: 'ready', pid: 4242, port: 3000, url: 'http://127.0.0.1:3000', restarts: 2, startedAt: '2026-12-01T08:00:00.000Z' },
  { service: 'mailer', state: 'failed', port: 3002, restarts: 5, detail: 'crashed 5 times in 60s' },
];

beforeEach(() => {
  down.mockReset().mockResolvedValue({ stopped: ['orders', 'stock'], wasRunning: true, removed: { containers: ['shop-orders', 'shop-stock'], networks: ['shop'], volumes: [] } });
  ps.mockReset().mockResolvedValue(STATUSES);
});

describe('msx down (service mocked)', () => {
  it('passes --runtime and --volumes', async () => {
    await runCommand(Down, ['--runtime', 'docker', '--volumes']);
    expect(down).toHaveBeenCalledExactlyOnceWith({ cwd: process.cwd(), runtime: 'docker', volumes: true });
  });

  it('defaults: the workspace\'s runtime, volumes kept', async () => {
    await runCommand(Down, []);
    expect(down).toHaveBeenCalledExactlyOnceWith({ cwd: process.cwd(), runtime: undefined, volumes: undefined });
  });

  it('says what it stopped and removed, skipping kinds with nothing removed', async () => {
    const run = await runCommand(Down, []);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('Stopped 2 service(s): orders, stock\nRemoved 2 containers: shop-orders, shop-stock\nRemoved 1 networks: shop\n');
  });

  it('says so when nothing was running', async () => {
    down.mockResolvedValueOnce({ stopped: [], wasRunning: false });
    expect((await runCommand(Down, [])).stdout).toBe('Nothing was running.\n');
  });

  it('--json prints the result as one document', async () => {
    const run = await runCommand(Down, ['--json']);
    expect(JSON.parse(run.stdout)).toEqual(await down.mock.results[0].value);
  });

  it.each(ERROR_CASES)('$name', async (errorCase) => {
    down.mockRejectedValueOnce(errorCase.error());
    expectErrorOutput(await runCommand(Down, []), errorCase);
    down.mockRejectedValueOnce(errorCase.error());
    expectJsonError(await runCommand(Down, ['--json']), errorCase);
  });
});

describe('msx ps (service mocked)', () => {
  it('passes --runtime; the default is the workspace\'s', async () => {
    await runCommand(Ps, ['--runtime', 'local']);
    await runCommand(Ps, []);
    expect(ps.mock.calls).toEqual([[{ cwd: process.cwd(), runtime: 'local' }], [{ cwd: process.cwd(), runtime: undefined }]]);
  });

  it('prints a table of every service with its state, pid, port and restarts', async () => {
    const run = await runCommand(Ps, []);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/orders\s+ready\s+4242\s+3000/);
    expect(run.stdout).toMatch(/mailer\s+failed/);
  });

  it("prints a failure's detail with the last lines the service wrote, not only its first line", async () => {
    const detail = 'exited before it was ready (code 78); last lines:\n    config error: proto/stock.proto is missing';
    ps.mockResolvedValueOnce([{ service: 'edge', state: 'failed', port: 3001, restarts: 0, detail }]);
    const run = await runCommand(Ps, []);
    expect(run.stdout).toContain(`edge: ${detail}\n`);
  });

  it('--json prints { services }', async () => {
    const run = await runCommand(Ps, ['--json']);
    expect(JSON.parse(run.stdout)).toEqual({ services: STATUSES });
  });

  it('refuses --runtime kubernetes with exit 2', async () => {
    const run = await runCommand(Ps, ['--runtime', 'kubernetes']);
    expect(run.code).toBe(2);
    expect(ps).not.toHaveBeenCalled();
  });

  it.each(ERROR_CASES)('$name', async (errorCase) => {
    ps.mockRejectedValueOnce(errorCase.error());
    expectErrorOutput(await runCommand(Ps, []), errorCase);
    ps.mockRejectedValueOnce(errorCase.error());
    expectJsonError(await runCommand(Ps, ['--json']), errorCase);
  });
});
