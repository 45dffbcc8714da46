import { describe, expect, it } from 'vitest';
import { parseWorkspace } from '../../../src/models/load-workspace.js';
import type { WorkspaceData } from '../../../src/models/workspace.js';
import { planReload } from '../../../src/runtimes/local/workspace-reload.js';
import { servicesOfEvent } from '../../../src/runtimes/watch/workspace-watcher.js';

// What an msx.yaml edit under --watch restarts, starts and stops: compared through the real loader.

const BASE = {
  alpha: 'kind: rest\n    context: core\n    path: contexts/core/alpha\n    port: 42510\n    publishes: [order.placed]',
  beta: 'kind: rest\n    context: core\n    path: contexts/core/beta\n    port: 42511\n    dependsOn: [alpha]',
  gamma: 'kind: rest\n    context: core\n    path: contexts/core/gamma\n    port: 42512\n    subscribes: [order.placed]',
};

function workspace(services: Record<string, string>, extra = ''): WorkspaceData {
  const body = Object.entries(services).map(([name, spec]) => `  ${name}:\n    ${spec}`).join('\n');
  const { document: _document, ...data } = parseWorkspace(`version: 1\nname: ws\nservices:\n${body}\n${extra}`, '/tmp/ws');
  return data;
}

const all = new Set(['alpha', 'beta', 'gamma']);

describe('planReload', () => {
  it('an unchanged msx.yaml (comments, publishes aside) restarts nothing', () => {
    const after = workspace({ ...BASE, alpha: `${BASE.alpha.replace('[order.placed]', '[order.placed, order.paid]')}` });
    expect(planReload(workspace(BASE), after, all)).toEqual({ stop: [], restart: [], start: [] });
  });

  it('a config value restarts that service only', () => {
    const after = workspace({ ...BASE, gamma: `${BASE.gamma}\n    config: { GREETING: hi }` });
    expect(planReload(workspace(BASE), after, all)).toEqual({ stop: [], restart: ['gamma'], start: [] });
  });

  it('a port change restarts the service and its dependents (their <DEP>_URL changed), not the others', () => {
    const after = workspace({ ...BASE, alpha: BASE.alpha.replace('42510', '42513') });
    expect(planReload(workspace(BASE), after, all)).toEqual({ stop: [], restart: ['alpha', 'beta'], start: [] });
  });

  it('a local environment override counts like config', () => {
    const after = workspace(BASE, 'environments:\n  local:\n    runtime: local\n    config:\n      beta: { MODE: fast }');
    expect(planReload(workspace(BASE), after, all).restart).toEqual(['beta']);
  });

  it('a new service is started, a removed one stopped; a service this supervisor does not run is left alone', () => {
    const { gamma: _gone, ...rest } = BASE;
    const after = workspace({ ...rest, delta: 'kind: rest\n    context: core\n    path: contexts/core/delta\n    port: 42514' });
    expect(planReload(workspace(BASE), after, all)).toEqual({ stop: ['gamma'], restart: [], start: ['delta'] });
    expect(planReload(workspace(BASE), after, new Set(['alpha'])).stop).toEqual([]);
  });
});

describe('servicesOfEvent', () => {
  it('names the publishers and subscribers of one event', () => {
    expect(servicesOfEvent(workspace(BASE), 'order.placed')).toEqual(['alpha', 'gamma']);
    expect(servicesOfEvent(workspace(BASE), 'order.paid')).toEqual([]);
  });
});
