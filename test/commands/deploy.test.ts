import { beforeEach, describe, expect, it, vi } from 'vitest';
import Deploy from '../../src/commands/deploy.js';
import { deploy, type DeployResult, type RolloutFailure } from '../../src/services/deploy.js';
import { ERROR_CASES, expectErrorOutput, expectJsonError, runCommand } from './run-command.js';

vi.mock('../../src/services/deploy.js', () => ({ deploy: vi.fn() }));
const service = vi.mocked(deploy);

const APPLIED: DeployResult = {
  mode: 'apply', environment: 'staging', namespace: 'shop', context: 'kind-shop', images: [{ service: 'orders', image: 'registry.local/orders:abc' }],
  objects: [{ kind: 'Deployment', name: 'orders', action: 'created' }, { kind: 'Service', name: 'orders', action: 'unchanged' }] as DeployResult['objects'],
  pruned: ['ConfigMap/mailer-config'], rollouts: [{ deployment: 'orders', ok: true }], failures: [],
};
const failure = (restored?: boolean): RolloutFailure => ({
  outcome: { deployment: 'orders', ok: false, reason: 'a pod is in CrashLoopBackOff' },
  diagnosis: { pod: 'orders-abc-1', state: 'CrashLoopBackOff (restarted 3 times)', events: ['Warning BackOff: Back-off restarting failed container orders'], logs: ['boom'] },
  rollback: restored === undefined ? undefined : restored ? { deployment: 'orders', restored: true, revision: 4, ready: true } : { deployment: 'orders', restored: false, reason: 'no previous revision (this was its first deploy)' },
});
const failed = (restored?: boolean): DeployResult => ({ ...APPLIED, pruned: [], rollouts: [failure().outcome], failures: [failure(restored)] });

beforeEach(() => {
  service.mockReset().mockResolvedValue(APPLIED);
});

describe('msx deploy (service mocked)', () => {
  it('passes every flag', async () => {
    await runCommand(Deploy, [
      '--env', 'staging', '--context', 'kind-shop', '--namespace', 'shop2', '--dry-run', '--out', 'k8s', '--no-build',
      '--timeout', '2m', '--no-prune', '--rollback', '--create-namespace', '--force-conflicts',
    ]);
    expect(service).toHaveBeenCalledExactlyOnceWith(
      {
        cwd: process.cwd(), env: 'staging', context: 'kind-shop', namespace: 'shop2', timeout: '2m', dryRun: true, outDir: 'k8s',
        build: false, prune: false, rollback: true, createNamespace: true, forceConflicts: true,
      },
      { note: expect.any(Function), progress: expect.any(Function) },
    );
  });

  it('defaults: build, prune, 5m, no rollback', async () => {
    await runCommand(Deploy, []);
    expect(service.mock.calls[0][0]).toEqual({
      cwd: process.cwd(), env: undefined, context: undefined, namespace: undefined, timeout: '5m', dryRun: undefined, outDir: undefined,
      build: true, prune: true, rollback: undefined, createNamespace: undefined, forceConflicts: undefined,
    });
  });

  it('prints each object and the summary line; notes and progress go to stderr', async () => {
    service.mockImplementationOnce(async (_options, events) => {
      events.note('context kind-shop (https://127.0.0.1:6443), namespace shop');
      events.progress({ deployment: 'orders', replicas: 2, updated: 2, available: 2, old: 0, observed: true, done: true });
      return APPLIED;
    });
    const run = await runCommand(Deploy, []);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/created\s+Deployment\/orders\n.*unchanged\s+Service\/orders\n.*pruned\s+ConfigMap\/mailer-config\n1 created, 0 changed, 1 unchanged, 1 pruned\n$/);
    expect(run.stderr).toMatch(/^msx context kind-shop \(https:\/\/127\.0\.0\.1:6443\), namespace shop\nmsx orders +rolled out +2\/2 updated, 2\/2 available\n$/);
  });

  it('--dry-run prints the YAML as it is on stdout', async () => {
    service.mockResolvedValueOnce({ ...APPLIED, mode: 'dry-run', yaml: 'kind: Deployment\n---\nkind: Service\n', objects: [], pruned: [], rollouts: [] });
    const run = await runCommand(Deploy, ['--dry-run']);
    expect(run.stdout).toBe('kind: Deployment\n---\nkind: Service\n');
  });

  it('a failed rollout: the diagnosis on stderr and exit 8, with --rollback as the next step', async () => {
    service.mockResolvedValueOnce(failed());
    const run = await runCommand(Deploy, []);
    expect(run.code).toBe(8);
    expect(run.stderr).toContain('  pod orders-abc-1: CrashLoopBackOff (restarted 3 times)');
    expect(run.stderr).toContain('    | boom');
    expect(run.stderr).toMatch(/^error: rollout failed: orders\n {2}next: fix the cause shown above; --rollback restores the previous revision on failure\n$/m);
  });

  it('a failed rollout that was rolled back says so, still exit 8', async () => {
    service.mockResolvedValueOnce(failed(true));
    const run = await runCommand(Deploy, ['--rollback']);
    expect(run.code).toBe(8);
    expect(run.stderr).toContain('rolled back to revision 4, which is ready again');
    expect(run.stderr).toContain('error: rollout failed: orders (rolled back)\n  next: fix the cause shown above and deploy again\n');
  });

  it('a rollback that could not restore is not called rolled back', async () => {
    service.mockResolvedValueOnce(failed(false));
    const run = await runCommand(Deploy, ['--rollback']);
    expect(run.stderr).toContain('not rolled back: no previous revision (this was its first deploy)');
    expect(run.stderr).toMatch(/^error: rollout failed: orders$/m);
  });

  it('--json: one document, also for a failed rollout, which still exits 8', async () => {
    const ok = await runCommand(Deploy, ['--json']);
    expect([ok.code, JSON.parse(ok.stdout)]).toEqual([0, APPLIED]);
    service.mockResolvedValueOnce(failed());
    const bad = await runCommand(Deploy, ['--json']);
    expect(bad.code).toBe(8);
    expect(JSON.parse(bad.stdout)).toEqual(failed());
    expect(bad.stderr).toBe('');
  });

  it.each(ERROR_CASES)('$name', async (errorCase) => {
    service.mockRejectedValueOnce(errorCase.error());
    expectErrorOutput(await runCommand(Deploy, []), errorCase);
    service.mockRejectedValueOnce(errorCase.error());
    expectJsonError(await runCommand(Deploy, ['--json']), errorCase);
  });
});
