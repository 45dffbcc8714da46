import { beforeEach, describe, expect, it, vi } from 'vitest';
import Init from '../../src/commands/init.js';
import { initWorkspace, type InitResult } from '../../src/services/init-workspace.js';
import { ERROR_CASES, expectErrorOutput, expectJsonError, runCommand } from './run-command.js';

vi.mock('../../src/services/init-workspace.js', () => ({ initWorkspace: vi.fn() }));
const service = vi.mocked(initWorkspace);

const RESULT: InitResult = { root: '/tmp/shop', name: 'shop', dryRun: false, files: [{ path: 'msx.yaml', action: 'create', size: 42 }] as InitResult['files'] };

beforeEach(() => {
  service.mockReset().mockResolvedValue(RESULT);
});

describe('msx init (service mocked)', () => {
  it('passes DIR, --name and --dry-run to initWorkspace', async () => {
    const run = await runCommand(Init, ['shop', '--name', 'shopping', '--dry-run']);
    expect(service).toHaveBeenCalledExactlyOnceWith({ dir: 'shop', name: 'shopping', dryRun: true });
    expect(run.code).toBe(0);
  });

  it('defaults: the current folder, the folder name, writing', async () => {
    await runCommand(Init, []);
    expect(service).toHaveBeenCalledExactlyOnceWith({ dir: '.', name: undefined, dryRun: undefined });
  });

  it('prints the files made and the next step', async () => {
    const run = await runCommand(Init, ['shop']);
    expect(run.stdout).toContain('Made workspace "shop" in /tmp/shop');
    expect(run.stdout).toMatch(/create msx\.yaml/);
    expect(run.stdout).toContain('  cd /tmp/shop');
  });

  it('--json prints the result as one document', async () => {
    const run = await runCommand(Init, ['shop', '--json']);
    expect(JSON.parse(run.stdout)).toEqual(RESULT);
    expect(run.stderr).toBe('');
  });

  it('refuses an unknown flag with exit 2 before calling the service', async () => {
    const run = await runCommand(Init, ['--colour', 'red']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: Nonexistent flag: --colour/);
    expect(service).not.toHaveBeenCalled();
  });

  it.each(ERROR_CASES)('$name', async (errorCase) => {
    service.mockRejectedValueOnce(errorCase.error());
    expectErrorOutput(await runCommand(Init, ['shop']), errorCase);
    service.mockRejectedValueOnce(errorCase.error());
    expectJsonError(await runCommand(Init, ['shop', '--json']), errorCase);
  });
});
