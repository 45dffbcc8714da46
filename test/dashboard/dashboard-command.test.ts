import { beforeEach, describe, expect, it, vi } from 'vitest';
import Dashboard from '../../src/commands/dashboard.js';
import { serveDashboard } from '../../src/dashboard/run-dashboard.js';
import { UserError } from '../../src/errors.js';
import { runCommand } from '../commands/run-command.js';

vi.mock('../../src/dashboard/run-dashboard.js', () => ({ serveDashboard: vi.fn() }));
const serve = vi.mocked(serveDashboard);
const URL = 'http://127.0.0.1:4321/?token=abc';

beforeEach(() => {
  serve.mockReset().mockResolvedValue({ url: URL, port: 4321, close: async () => undefined, done: Promise.resolve() });
});

describe('msx dashboard (server mocked)', () => {
  it('passes --port and --until-down, prints the URL, and exits 130 once stopped', async () => {
    const run = await runCommand(Dashboard, ['--port', '4321']);
    expect(serve).toHaveBeenCalledExactlyOnceWith({ cwd: process.cwd(), port: 4321, untilDown: undefined });
    expect(run.stdout).toBe(`msx dashboard ${URL}\nCtrl-C stops it\n`);
    expect(run.code).toBe(130);
    await runCommand(Dashboard, ['--until-down']);
    expect(serve.mock.calls[1][0]).toEqual({ cwd: process.cwd(), port: undefined, untilDown: true });
  });

  it('--json prints {url} once, as soon as it listens', async () => {
    const run = await runCommand(Dashboard, ['--json']);
    expect(JSON.parse(run.stdout)).toEqual({ url: URL });
  });

  it('a port in use is one line and exit 7', async () => {
    serve.mockRejectedValueOnce(new UserError('port 4321 is already in use on 127.0.0.1', { hint: 'pass another --port, or none for a free one', exit: 'conflict' }));
    const run = await runCommand(Dashboard, ['--port', '4321']);
    expect(run.code).toBe(7);
    expect(run.stderr).toBe('error: port 4321 is already in use on 127.0.0.1\n  next: pass another --port, or none for a free one\n');
  });
});
