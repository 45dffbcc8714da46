import { beforeEach, describe, expect, it, vi } from 'vitest';
import NewService from '../../src/commands/new/service.js';
import { newService, type NewServiceResult } from '../../src/services/new-service.js';
import { ERROR_CASES, expectErrorOutput, expectJsonError, runCommand } from './run-command.js';

vi.mock('../../src/services/new-service.js', () => ({ newService: vi.fn() }));
const service = vi.mocked(newService);

const RESULT = {
  workspaceRoot: '/tmp/shop',
  service: { name: 'orders', kind: 'rest', context: 'ordering', path: 'contexts/ordering/orders', port: 3005 },
  files: [{ path: 'contexts/ordering/orders/package.json', action: 'create', size: 900 }],
  dryRun: false,
} as NewServiceResult;
const OK = ['orders', '--kind', 'rest', '--context', 'ordering'];

beforeEach(() => {
  service.mockReset().mockResolvedValue(RESULT);
});

describe('msx new service (service mocked)', () => {
  it('passes every flag, lists split on commas and repeats joined', async () => {
    const run = await runCommand(NewService, [
      ...OK, '--port', '3005', '--depends-on', 'stock,rabbitmq', '--depends-on', ' postgres ', '--db', 'postgres',
      '--publishes', 'order.placed', '--subscribes', 'a.b,c.d', '--dry-run',
    ]);
    expect(run.code).toBe(0);
    expect(service).toHaveBeenCalledExactlyOnceWith({
      cwd: process.cwd(), name: 'orders', kind: 'rest', context: 'ordering', port: 3005,
      dependsOn: ['stock', 'rabbitmq', 'postgres'], db: 'postgres', publishes: ['order.placed'], subscribes: ['a.b', 'c.d'], dryRun: true,
    });
  });

  it('defaults: no port (the service picks the next free one), no database, no lists', async () => {
    await runCommand(NewService, OK);
    expect(service).toHaveBeenCalledExactlyOnceWith({
      cwd: process.cwd(), name: 'orders', kind: 'rest', context: 'ordering', port: undefined,
      dependsOn: undefined, db: 'none', publishes: undefined, subscribes: undefined, dryRun: undefined,
    });
  });

  it('prints what it made and the next step', async () => {
    const run = await runCommand(NewService, OK);
    expect(run.stdout).toContain('Made rest service "orders" in contexts/ordering/orders, port 3005');
    expect(run.stdout).toContain('  cd contexts/ordering/orders && npm install && npm test');
  });

  it('--json prints the result as one document', async () => {
    const run = await runCommand(NewService, [...OK, '--json']);
    expect(JSON.parse(run.stdout)).toEqual(RESULT);
  });

  it.each([
    ['NAME', ['--kind', 'rest', '--context', 'ordering'], 'error: missing NAME (the service name)'],
    ['--kind', ['orders', '--context', 'ordering'], 'error: missing --kind'],
    ['--context', ['orders', '--kind', 'rest'], 'error: missing --context'],
  ])('without a terminal, a missing %s is a usage error (exit 2) and the service is not called', async (_what, argv, line) => {
    // As in CI or a pipe, also when these tests run at a terminal.
    const isTTY = process.stdin.isTTY;
    process.stdin.isTTY = false;
    const run = await runCommand(NewService, argv).finally(() => (process.stdin.isTTY = isTTY));
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(line);
    expect(service).not.toHaveBeenCalled();
  });

  it.each([
    ['--kind soap', ['orders', '--kind', 'soap', '--context', 'ordering'], /--kind/],
    ['--db mongo', [...OK, '--db', 'mongo'], /--db/],
    ['--port abc', [...OK, '--port', 'abc'], /integer/i],
  ])('oclif refuses %s with exit 2 before calling the service', async (_what, argv, message) => {
    const run = await runCommand(NewService, argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('  next: see --help for the flags and arguments');
    expect(service).not.toHaveBeenCalled();
  });

  it.each(ERROR_CASES)('$name', async (errorCase) => {
    service.mockRejectedValueOnce(errorCase.error());
    expectErrorOutput(await runCommand(NewService, OK), errorCase);
    service.mockRejectedValueOnce(errorCase.error());
    expectJsonError(await runCommand(NewService, [...OK, '--json']), errorCase);
  });
});
