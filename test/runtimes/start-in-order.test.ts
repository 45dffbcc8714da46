import { describe, expect, it } from 'vitest';
import type { Service } from '../../src/models/workspace.js';
import { startInDependencyOrder, stopInReverseOrder } from '../../src/runtimes/start-in-order.js';

const svc = (name: string, dependsOn: string[] = []) => ({ name, dependsOn }) as unknown as Service;

describe('startInDependencyOrder: the one gated start of every runtime', () => {
  it('starts independent services together and a dependent only after its dependency is ready', async () => {
    const events: string[] = [];
    const gates = new Map<string, () => void>();
    const run = startInDependencyOrder([svc('stock'), svc('users'), svc('orders', ['stock', 'users'])], {
      start: (s) => {
        events.push(`start ${s.name}`);
        return new Promise<boolean>((resolve) => gates.set(s.name, () => resolve(true)));
      },
      blocked: (s, detail) => events.push(`blocked ${s.name}: ${detail}`),
      stateOf: () => 'ready',
    });
    await new Promise((r) => setImmediate(r));
    // Then both roots started at once, orders not yet
    expect(events).toEqual(['start stock', 'start users']);
    gates.get('stock')!();
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['start stock', 'start users']);
    gates.get('users')!();
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['start stock', 'start users', 'start orders']);
    gates.get('orders')!();
    await run;
  });

  it('a failed dependency blocks its dependents, which name it and its state; a precheck blocks before anything', async () => {
    const events: string[] = [];
    await startInDependencyOrder([svc('stock'), svc('orders', ['stock']), svc('mailer', ['orders']), svc('billing')], {
      precheck: (s) => (s.name === 'billing' ? 'needs RabbitMQ: start it' : undefined),
      start: async (s) => {
        events.push(`start ${s.name}`);
        return false;
      },
      blocked: (s, detail) => events.push(`blocked ${s.name}: ${detail}`),
      stateOf: (name) => (name === 'stock' ? 'failed' : 'blocked'),
    });
    expect(events).toEqual([
      'start stock',
      'blocked billing: needs RabbitMQ: start it',
      'blocked orders: waits for "stock", which is failed',
      'blocked mailer: waits for "orders", which is blocked',
    ]);
  });
});

describe('stopInReverseOrder: dependents stop before what they depend on', () => {
  it('stops a service only once all its dependents have stopped; unrelated ones together', async () => {
    const events: string[] = [];
    const pending = new Map<string, () => void>();
    const run = stopInReverseOrder([svc('stock'), svc('orders', ['stock']), svc('mailer', ['orders']), svc('billing')], (s) => {
      events.push(`stop ${s.name}`);
      return new Promise<void>((resolve) => pending.set(s.name, () => { events.push(`stopped ${s.name}`); resolve(); }));
    });
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['stop mailer', 'stop billing']);
    pending.get('mailer')!();
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['stop mailer', 'stop billing', 'stopped mailer', 'stop orders']);
    pending.get('orders')!();
    await new Promise((r) => setImmediate(r));
    expect(events.at(-1)).toBe('stop stock');
    pending.get('stock')!();
    pending.get('billing')!();
    await run;
  });
});
