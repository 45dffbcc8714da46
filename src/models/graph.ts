import { UserError } from '../errors.js';

export interface DependencyNode {
  name: string;
  dependsOn: readonly string[];
}

/**
 * Orders services so each comes after everything it depends on. Names that are
 * not nodes (infra such as rabbitmq) are ignored here. A cycle is an error that
 * names it: `a → b → a`.
 */
export function dependencyOrder<T extends DependencyNode>(nodes: readonly T[]): T[] {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const state = new Map<string, 'visiting' | 'done'>();
  const order: T[] = [];
  const visit = (node: T, trail: string[]): void => {
    const seen = state.get(node.name);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(node.name)), node.name];
      throw new UserError(`dependsOn has a cycle: ${cycle.join(' → ')}`, {
        hint: 'remove one of these dependsOn entries in msx.yaml',
      });
    }
    state.set(node.name, 'visiting');
    for (const dep of node.dependsOn) {
      const next = byName.get(dep);
      if (next) visit(next, [...trail, node.name]);
    }
    state.set(node.name, 'done');
    order.push(node);
  };
  for (const node of nodes) visit(node, []);
  return order;
}
