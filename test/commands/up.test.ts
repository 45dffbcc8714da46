import { beforeEach, describe, expect, it, vi } from 'vitest';
import Up from '../../src/commands/up.js';
import type { ServiceStatus } from '../../src/runtimes/runtime.js';
import { upServices } from '../../src/services/run-services.js';
import { ERROR_CASES, expectErrorOutput, expectJsonError, runCommand } from './run-command.js';

vi.mock('../../src/services/run-services.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/services/run-services.js')>()),
  upServices: vi.fn(),
}));
const service = vi.mocked(upServices);
vi.mock('../../src/services/dashboard-process.js', () => ({ detachedDashboard: vi.fn(async () => 'http://127.0.0.1:4444/?token=t') }));
const dashboardClosed = vi.fn();
vi.mock('../../src/dashboard/run-dashboard.js', () => ({ serveDashboard: vi.fn(async () => ({ url: 'http://127.0.0.1:5555/?token=f', close: dashboardClosed })) }));

const ready = (name: string, port: number): ServiceStatus => ({ service: name, state: 'ready', pid: 100 + port, port, url: `http://127.0.0.1:${port}`, restarts: 0 });
const SERVICES = [ready('stock', 3001), ready('orders', 3000)];

beforeEach(() => {
  service.mockReset().mockResolvedValue({ runtime: 'local', services: SERVICES });
});

describe('msx up (service mocked)', () => {
  it('passes the named services, --detach, --runtime and --timeout', async () => {
    const run = await runCommand(Up, ['orders', 'stock', '--detach', '--runtime', 'docker', '--timeout', '120']);
    expect(run.code).toBe(0);
    expect(service).toHaveBeenCalledExactlyOnceWith(
      { cwd: process.cwd(), runtime: 'docker', detach: true, readyTimeoutSeconds: 120, services: ['orders', 'stock'] },
      expect.objectContaining({ state: expect.any(Function), log: expect.any(Function), note: expect.any(Function) }),
    );
  });

  it('defaults: every service, the workspace\'s runtime, 60 s each, in the foreground', async () => {
    await runCommand(Up, []);
    expect(service.mock.calls[0][0]).toEqual({ cwd: process.cwd(), runtime: undefined, detach: undefined, readyTimeoutSeconds: 60, services: [] });
  });

  it('--detach prints the status table on stderr and exits 0 when every service is ready', async () => {
    const run = await runCommand(Up, ['--detach']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/orders\s+ready/);
    expect(run.stderr).toMatch(/stock\s+ready/);
  });

  it('says where the spans go: msx\'s collector, or the endpoint msx.yaml names; in --json too', async () => {
    service.mockResolvedValueOnce({ runtime: 'local', services: SERVICES, spans: { endpoint: 'http://127.0.0.1:4318', collector: true } });
    expect((await runCommand(Up, ['--detach'])).stderr).toContain("msx spans → msx's collector http://127.0.0.1:4318 (msx traces, msx logs --trace-id, the dashboard)\n");
    service.mockResolvedValueOnce({ runtime: 'local', services: SERVICES, spans: { endpoint: 'http://jaeger:4318', collector: false } });
    expect((await runCommand(Up, ['--detach'])).stderr).toContain('msx spans → http://jaeger:4318 (otel.endpoint of the local environment in msx.yaml)\n');
    service.mockResolvedValueOnce({ runtime: 'local', services: SERVICES, spans: { endpoint: 'http://127.0.0.1:4318', collector: true } });
    expect(JSON.parse((await runCommand(Up, ['--detach', '--json'])).stdout).spans).toEqual({ endpoint: 'http://127.0.0.1:4318', collector: true });
    service.mockResolvedValueOnce({ runtime: 'local', services: SERVICES });
    expect((await runCommand(Up, ['--detach'])).stderr).not.toContain('msx spans');
  });

  it('--detach with a service not ready: exit 6, naming it and its detail', async () => {
    service.mockResolvedValueOnce({ runtime: 'local', services: [SERVICES[0], { service: 'orders', state: 'failed', restarts: 0, detail: 'exited before it was ready (code 1)' }] });
    const run = await runCommand(Up, ['--detach']);
    expect(run.code).toBe(6);
    expect(run.stderr).toContain('error: orders is failed: exited before it was ready (code 1)\n  next: see `msx logs SERVICE`');
  });

  it('in the foreground, waits until the runtime is done (Ctrl-C) and exits 130', async () => {
    let stop = () => {};
    const done = new Promise<void>((resolve) => (stop = resolve));
    service.mockResolvedValueOnce({ runtime: 'local', services: SERVICES, done });
    const running = runCommand(Up, []);
    let finished = false;
    void running.then(() => (finished = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(finished).toBe(false);
    stop();
    const run = await running;
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('msx: 2/2 ready; Ctrl-C stops everything');
  });

  it('streams log lines in the foreground, not with --detach; state changes go to stderr', async () => {
    service.mockImplementation(async (_options, events) => {
      events.state({ service: 'orders', state: 'starting', restarts: 0 });
      events.log({ service: 'orders', stream: 'stdout', receivedAt: '2026-12-01T08:00:00.000Z', text: 'listening on 3000' });
      return { runtime: 'local', services: SERVICES, done: Promise.resolve() };
    });
    const foreground = await runCommand(Up, []);
    expect(foreground.stdout).toContain('listening on 3000');
    expect(foreground.stderr).toMatch(/orders.*starting/);
    const detached = await runCommand(Up, ['--detach']);
    expect(detached.stdout).not.toContain('listening on 3000');
  });

  it('--json prints one document with the runtime and the services, and nothing else', async () => {
    const run = await runCommand(Up, ['--detach', '--json']);
    expect(JSON.parse(run.stdout)).toEqual({ runtime: 'local', services: SERVICES, dashboard: 'http://127.0.0.1:4444/?token=t' });
    expect(run.stderr).toBe('');
  });

  it("prints the dashboard's URL: the detached one's, or the one this process serves in the foreground (closed when up ends)", async () => {
    expect((await runCommand(Up, ['--detach'])).stderr).toContain('msx dashboard http://127.0.0.1:4444/?token=t\n');
    service.mockResolvedValueOnce({ runtime: 'local', services: SERVICES, done: Promise.resolve() });
    dashboardClosed.mockClear();
    expect((await runCommand(Up, [])).stderr).toContain('msx dashboard http://127.0.0.1:5555/?token=f\n');
    expect(dashboardClosed).toHaveBeenCalledOnce();
  });

  it('--no-dashboard starts none and prints no URL', async () => {
    const run = await runCommand(Up, ['--detach', '--no-dashboard', '--json']);
    expect(JSON.parse(run.stdout)).toEqual({ runtime: 'local', services: SERVICES });
    expect((await runCommand(Up, ['--detach', '--no-dashboard'])).stderr).not.toContain('msx dashboard');
  });

  it('refuses --runtime kubernetes (up runs locally) with exit 2', async () => {
    const run = await runCommand(Up, ['--runtime', 'kubernetes']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--runtime/);
    expect(service).not.toHaveBeenCalled();
  });

  it.each(ERROR_CASES)('$name', async (errorCase) => {
    service.mockRejectedValueOnce(errorCase.error());
    expectErrorOutput(await runCommand(Up, ['--detach']), errorCase);
    service.mockRejectedValueOnce(errorCase.error());
    expectJsonError(await runCommand(Up, ['--detach', '--json']), errorCase);
  });
});
