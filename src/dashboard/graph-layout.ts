/** A node of the service graph: a service of msx.yaml, or infra named in a dependsOn. */
export interface GraphNode {
  name: string;
  kind: string;
  state: string;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** `calls` for dependsOn, `event` for publisher → subscriber. */
  type: 'calls' | 'event';
  label?: string;
}

export interface PlacedNode extends GraphNode {
  column: number;
  row: number;
}

/**
 * A layered layout: each node's column is the longest path to it along the
 * flow of a request (caller → callee, publisher → subscriber), so requests read
 * left to right; rows in msx.yaml order. A cycle (events back to a caller)
 * is cut where it closes.
 */
export function layerGraph(nodes: GraphNode[], edges: GraphEdge[]): PlacedNode[] {
  const incoming = new Map<string, string[]>(nodes.map((n) => [n.name, []]));
  for (const edge of edges) incoming.get(edge.to)?.push(edge.from);
  const column = new Map<string, number>();
  const visiting = new Set<string>();
  const columnOf = (name: string): number => {
    const known = column.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return -1; // the edge that closes a cycle does not count
    visiting.add(name);
    const before = (incoming.get(name) ?? []).map(columnOf);
    visiting.delete(name);
    const value = Math.max(-1, ...before) + 1;
    column.set(name, value);
    return value;
  };
  const rows = new Map<number, number>();
  return nodes.map((node) => {
    const c = columnOf(node.name);
    const row = rows.get(c) ?? 0;
    rows.set(c, row + 1);
    return { ...node, column: c, row };
  });
}
