import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { dependencyOrder } from '../../src/models/graph.js';
import { parseWorkspace } from '../../src/models/load-workspace.js';
import { initialWorkspaceText, textWithService } from '../../src/models/write-workspace.js';

const TEXT = `# top comment
version: 1
name: shop
services:
  # stock keeps inventory
  stock:
    kind: grpc # native gRPC
    context: warehouse
    path: contexts/warehouse/stock
    port: 3001
    config:
      LOW_WATER_MARK: 5
environments:
  local: { runtime: local }
`;

const problemsOf = (text: string): string[] => {
  try {
    parseWorkspace(text, '/ws');
  } catch (error) {
    return (error as ValidationError).problems;
  }
  return [];
};

describe('workspace loader', () => {
  it('loads services with defaults and absolute dirs', () => {
    const workspace = parseWorkspace(TEXT, '/ws');
    expect(workspace.name).toBe('shop');
    expect(workspace.services).toMatchObject([
      { name: 'stock', kind: 'grpc', port: 3001, db: 'none', dependsOn: [], dir: '/ws/contexts/warehouse/stock', config: { LOW_WATER_MARK: 5 } },
    ]);
  });

  it('reports every problem at once, each with LINE:COL and key path', () => {
    const problems = problemsOf(TEXT.replace('port: 3001', 'port: 99').replace('LOW_WATER_MARK', 'low-water'));
    expect(problems).toEqual([
      'msx.yaml:10:11 services.stock.port: must be 1024-65535',
      expect.stringMatching(/^msx\.yaml:12:7 services\.stock\.config\.low-water: "low-water" must be an env var name/),
    ]);
  });

  it('the initial workspace text is valid', () => {
    expect(parseWorkspace(initialWorkspaceText('shop'), '/ws').services).toEqual([]);
  });
});

describe('writes keep comments and key order', () => {
  it('adds a service after the existing ones, comments intact', () => {
    const workspace = parseWorkspace(TEXT, '/ws');
    const text = textWithService(workspace, 'orders', {
      kind: 'rest', context: 'ordering', path: 'contexts/ordering/orders', port: 3000, db: 'postgres',
      dependsOn: ['stock', 'postgres'], publishes: [], subscribes: [], config: {}, secrets: [],
    });
    expect(text.startsWith(TEXT.split('environments:')[0])).toBe(true);
    expect(text).toContain('kind: grpc # native gRPC');
    expect(text.indexOf('  stock:')).toBeLessThan(text.indexOf('  orders:'));
    expect(text.indexOf('  orders:')).toBeLessThan(text.indexOf('environments:'));
    expect(parseWorkspace(text, '/ws').services.map((s) => s.name)).toEqual(['stock', 'orders']);
  });

  it('turns the empty flow map of a new workspace into a block map', () => {
    const workspace = parseWorkspace(initialWorkspaceText('shop'), '/ws');
    const text = textWithService(workspace, 'orders', {
      kind: 'rest', context: 'ordering', path: 'contexts/ordering/orders', port: 3000, db: 'none',
      dependsOn: [], publishes: [], subscribes: [], config: {}, secrets: [],
    });
    expect(text).toContain('services:\n  orders:\n    kind: rest\n');
    expect(text).toContain('# Services are added by `msx new service`');
  });
});

describe('dependencyOrder', () => {
  it('puts dependencies first and ignores infra', () => {
    const order = dependencyOrder([
      { name: 'orders', dependsOn: ['stock', 'rabbitmq'] },
      { name: 'mailer', dependsOn: ['orders'] },
      { name: 'stock', dependsOn: [] },
    ]);
    expect(order.map((n) => n.name)).toEqual(['stock', 'orders', 'mailer']);
  });

  it('names a cycle', () => {
    expect(() => dependencyOrder([{ name: 'a', dependsOn: ['b'] }, { name: 'b', dependsOn: ['c'] }, { name: 'c', dependsOn: ['a'] }]))
      .toThrow('dependsOn has a cycle: a → b → c → a');
  });
});
