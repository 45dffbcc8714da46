import { describe, expect, it } from 'vitest';
import { kubeTarget } from '../../src/kube/target.js';
import { UserError } from '../../src/errors.js';
import type { WorkspaceData } from '../../src/models/workspace.js';

// Where msx deploy puts a workspace, and where msx logs looks for it: one resolution.

const workspace = (environments: Record<string, object>) => ({ name: 'shop', services: [], environments }) as unknown as WorkspaceData;
const LOCAL = { runtime: 'local' };

describe('kubeTarget', () => {
  it('without flags: the one kubernetes environment, its namespace and kubeContext', () => {
    const ws = workspace({ local: LOCAL, staging: { runtime: 'kubernetes', namespace: 'shop', kubeContext: 'kind-msx' } });
    expect(kubeTarget(ws, {}, 'msx logs')).toMatchObject({ environment: 'staging', namespace: 'shop', kubeContext: 'kind-msx' });
    expect(kubeTarget(ws, { namespace: 'other', context: 'k3d' }, 'msx deploy')).toMatchObject({ namespace: 'other', kubeContext: 'k3d' });
    expect(kubeTarget(workspace({ prod: { runtime: 'kubernetes' } }), {}, 'msx logs')).toMatchObject({ namespace: 'default', kubeContext: undefined });
  });

  it('several kubernetes environments: deploy and logs ask for --env', () => {
    const ws = workspace({ local: LOCAL, staging: { runtime: 'kubernetes' }, prod: { runtime: 'kubernetes' } });
    const deploy = (() => { try { return kubeTarget(ws, {}, 'msx deploy'); } catch (e) { return e; } })() as UserError;
    expect([deploy.message, deploy.hint]).toEqual(['several Kubernetes environments (staging, prod): pass --env', 'msx deploy --env staging']);
    const logs = (() => { try { return kubeTarget(ws, {}, 'msx logs'); } catch (e) { return e; } })() as UserError;
    expect([logs.message, logs.hint]).toEqual(['several Kubernetes environments (staging, prod): pass --env', 'msx logs --env staging']);
    expect(kubeTarget(ws, { env: 'prod' }, 'msx logs')).toMatchObject({ environment: 'prod' });
    expect(logs.exitCode).toBe(2);
  });
});
