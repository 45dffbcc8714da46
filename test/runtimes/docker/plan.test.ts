import { describe, expect, it } from 'vitest';
import { serviceContainerSpec, type ContainerSpec } from '../../../src/runtimes/docker/container-spec.js';
import type { ContainerSummary } from '../../../src/docker/docker-client.js';
import { configHash, LABEL } from '../../../src/runtimes/docker/labels.js';
import { planContainers } from '../../../src/runtimes/docker/plan.js';
import type { Service } from '../../../src/models/workspace.js';

const service = (name: string, extra: Partial<Service> = {}): Service => ({
  name,
  kind: 'rest',
  context: 'core',
  path: `contexts/core/${name}`,
  dir: `/ws/contexts/core/${name}`,
  port: 43000,
  db: 'none',
  dependsOn: [],
  publishes: [],
  subscribes: [],
  config: {},
  secrets: [],
  ...extra,
});

const spec = (name: string, env: Record<string, string> = {}, image = `msx/shop_${name}:aaa`): ContainerSpec =>
  serviceContainerSpec({ workspace: 'shop', service: service(name), image, env, network: 'msx_shop', extraHosts: ['host.docker.internal:172.30.0.1'] });

const running = (s: ContainerSpec, state = 'running', id = `id-${s.service}`): ContainerSummary => ({
  id,
  name: s.name,
  image: String(s.options.Image),
  state,
  labels: { ...s.options.Labels } as Record<string, string>,
});

describe('container spec: labels and hash', () => {
  it('labels the container with workspace, service, role and the hash of its config', () => {
    const s = spec('orders', { PORT: '43000' });
    expect(s.options.Labels).toMatchObject({
      [LABEL.workspace]: 'shop',
      [LABEL.service]: 'orders',
      [LABEL.role]: 'service',
      [LABEL.configHash]: s.hash,
    });
    expect(s.name).toBe('msx_shop_orders');
  });

  it('publishes the port on 127.0.0.1 only, names the service on the network, restarts on failure', () => {
    const s = spec('orders');
    expect(s.options.HostConfig?.PortBindings).toEqual({ '43000/tcp': [{ HostIp: '127.0.0.1', HostPort: '43000' }] });
    expect(s.options.NetworkingConfig?.EndpointsConfig?.msx_shop.Aliases).toEqual(['orders']);
    expect(s.options.HostConfig?.RestartPolicy?.Name).toBe('on-failure');
  });

  it('sets resource limits from msx.yaml', () => {
    const s = serviceContainerSpec({
      workspace: 'shop',
      service: service('orders', { resources: { cpu: '500m', memory: '256Mi' } }),
      image: 'x',
      env: {},
      network: 'n',
      extraHosts: [],
    });
    expect(s.options.HostConfig).toMatchObject({ NanoCpus: 5e8, Memory: 256 * 2 ** 20 });
  });

  it('hashes the same config the same, whatever the order of env or keys', () => {
    expect(spec('orders', { A: '1', B: '2' }).hash).toBe(spec('orders', { B: '2', A: '1' }).hash);
    expect(configHash({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(configHash({ b: [1, { d: 3, c: 2 }], a: 1 }));
  });

  it('hashes a changed env value or image differently', () => {
    expect(spec('orders', { A: '1' }).hash).not.toBe(spec('orders', { A: '2' }).hash);
    expect(spec('orders', {}, 'msx/shop_orders:aaa').hash).not.toBe(spec('orders', {}, 'msx/shop_orders:bbb').hash);
  });
});

describe('planContainers: what up does with each container', () => {
  it('creates what is missing', () => {
    const plan = planContainers([spec('orders')], [], true);
    expect(plan.actions.map((a) => a.action)).toEqual(['create']);
  });

  it('keeps a running container whose hash matches, and starts a stopped one', () => {
    const [orders, stock] = [spec('orders'), spec('stock')];
    const plan = planContainers([orders, stock], [running(orders), running(stock, 'exited')], true);
    expect(plan.actions.map((a) => [a.spec.service, a.action])).toEqual([
      ['orders', 'keep'],
      ['stock', 'start'],
    ]);
    expect(plan.remove).toEqual([]);
  });

  it('recreates only the container whose config changed', () => {
    const before = [spec('orders', { A: '1' }), spec('stock')];
    const after = [spec('orders', { A: '2' }), spec('stock')];
    const plan = planContainers(after, before.map((s) => running(s)), true);
    expect(plan.actions.map((a) => [a.spec.service, a.action])).toEqual([
      ['orders', 'recreate'],
      ['stock', 'keep'],
    ]);
  });

  it('removes containers nothing asks for on a full up, and keeps them on a partial one', () => {
    const gone = running(spec('legacy'));
    expect(planContainers([spec('orders')], [gone], true).remove).toEqual([gone]);
    expect(planContainers([spec('orders')], [gone], false).remove).toEqual([]);
  });

  it('removes a second container of the same service even on a partial up', () => {
    const orders = spec('orders');
    const duplicate = { ...running(orders, 'exited', 'id-dup'), name: 'msx_shop_orders_old' };
    const plan = planContainers([orders], [running(orders), duplicate], false);
    expect(plan.actions[0].action).toBe('keep');
    expect(plan.remove.map((c) => c.id)).toEqual(['id-dup']);
  });
});
