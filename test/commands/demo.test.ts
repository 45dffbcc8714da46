import { beforeEach, describe, expect, it, vi } from 'vitest';
import Demo from '../../src/commands/demo.js';
import { runDemo, type DemoResult } from '../../src/services/demo.js';
import { ERROR_CASES, expectErrorOutput, expectJsonError, runCommand } from './run-command.js';

vi.mock('../../src/services/demo.js', () => ({ runDemo: vi.fn() }));
const service = vi.mocked(runDemo);

const TRACE_ID = '4bf92f3577b34da6a3ce929b0e0e4736';
const RESULT: DemoResult = {
  root: '/tmp/shop',
  services: [{ service: 'orders', state: 'ready', pid: 4242, port: 3000, url: 'http://127.0.0.1:3000', restarts: 0 }],
  traceId: TRACE_ID,
  request: { method: 'POST', url: 'http://127.0.0.1:3000/orders', status: 201 },
  tracedServices: ['orders', 'stock', 'mailer'],
};

beforeEach(() => {
  service.mockReset().mockResolvedValue(RESULT);
});

describe('msx demo (service mocked)', () => {
  it('passes DIR and --timeout', async () => {
    await runCommand(Demo, ['/tmp/shop', '--timeout', '30']);
    expect(service).toHaveBeenCalledExactlyOnceWith({ dir: '/tmp/shop', readyTimeoutSeconds: 30 }, expect.objectContaining({ state: expect.any(Function) }));
  });

  it('defaults: ./msx-demo, 120 s per service', async () => {
    await runCommand(Demo, []);
    expect(service.mock.calls[0][0]).toEqual({ dir: 'msx-demo', readyTimeoutSeconds: 120 });
  });

  it('prints the request, its trace id and where to look; state changes on stderr', async () => {
    service.mockImplementationOnce(async (_options, events) => {
      events.state({ service: 'orders', state: 'starting', restarts: 0 });
      events.note('orders', 'installing dependencies');
      return RESULT;
    });
    const run = await runCommand(Demo, []);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Sent POST http://127.0.0.1:3000/orders → 201');
    expect(run.stdout).toContain(`Trace id ${TRACE_ID} (seen in: orders, stock, mailer)`);
    expect(run.stdout).toContain(`  msx logs --trace-id ${TRACE_ID}`);
    expect(run.stderr).toMatch(/orders.*starting/);
    expect(run.stderr).toContain('msx orders installing dependencies\n');
  });

  it('--json prints the result as one document and nothing on stderr', async () => {
    service.mockImplementationOnce(async (_options, events) => {
      events.state({ service: 'orders', state: 'starting', restarts: 0 });
      return RESULT;
    });
    const run = await runCommand(Demo, ['--json']);
    expect(JSON.parse(run.stdout)).toEqual(RESULT);
    expect(run.stderr).toBe('');
  });

  it('refuses --timeout 0 with exit 2 before calling the service', async () => {
    const run = await runCommand(Demo, ['--timeout', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--timeout/);
    expect(service).not.toHaveBeenCalled();
  });

  it.each(ERROR_CASES)('$name', async (errorCase) => {
    service.mockRejectedValueOnce(errorCase.error());
    expectErrorOutput(await runCommand(Demo, []), errorCase);
    service.mockRejectedValueOnce(errorCase.error());
    expectJsonError(await runCommand(Demo, ['--json']), errorCase);
  });
});
