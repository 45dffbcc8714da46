import type { DashboardServices } from '../services/dashboard-data.js';
import { layerGraph, type GraphEdge, type GraphNode } from './graph-layout.js';
import { html, type SafeHtml } from './html.js';

const W = 160;
const H = 46;
const GAP_X = 90;
const GAP_Y = 34;
const PAD = 20;

export function graphPage(): SafeHtml {
  return html`<h1>Service graph</h1>
<p class="muted">dependsOn (solid: calls) and events (dashed: publisher → subscriber) from msx.yaml, coloured by state</p>
<div id="graph" hx-get="/fragments/graph" hx-trigger="load, every 3s" hx-swap="innerHTML">loading…</div>`;
}

/** The nodes and edges msx.yaml declares: services, the infra they name in dependsOn, calls and events. */
export function workspaceGraph(data: DashboardServices): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const names = new Set(data.services.map((s) => s.service));
  const nodes: GraphNode[] = data.services.map((s) => ({ name: s.service, kind: s.kind, state: s.state }));
  const edges: GraphEdge[] = [];
  for (const s of data.services) {
    for (const dep of s.dependsOn) {
      if (!names.has(dep)) {
        names.add(dep);
        nodes.push({ name: dep, kind: 'infra', state: 'infra' });
      }
      edges.push({ from: s.service, to: dep, type: 'calls' });
    }
    for (const event of s.publishes) {
      for (const sub of data.services.filter((other) => other.subscribes.includes(event))) edges.push({ from: s.service, to: sub.service, type: 'event', label: event });
    }
  }
  return { nodes, edges };
}

export function graphSvg(data: DashboardServices): SafeHtml {
  const { nodes, edges } = workspaceGraph(data);
  const placed = layerGraph(nodes, edges);
  const at = new Map(placed.map((n) => [n.name, { x: PAD + n.column * (W + GAP_X), y: PAD + n.row * (H + GAP_Y) }]));
  const width = PAD * 2 + (Math.max(0, ...placed.map((n) => n.column)) + 1) * (W + GAP_X) - GAP_X;
  const height = PAD * 2 + (Math.max(0, ...placed.map((n) => n.row)) + 1) * (H + GAP_Y) - GAP_Y;
  const lines = edges.map((edge) => {
    const a = at.get(edge.from)!;
    const b = at.get(edge.to)!;
    const [x1, y1, x2, y2] = b.x > a.x ? [a.x + W, a.y + H / 2, b.x, b.y + H / 2] : [a.x + W / 2, a.y + H, b.x + W / 2, b.y];
    const mx = (x1 + x2) / 2;
    const path = b.x > a.x ? `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}` : `M${x1},${y1} L${x2},${y2}`;
    return html`<g class="edge edge-${edge.type}"><path d="${path}" marker-end="url(#arrow)"/>${edge.label ? html`<text x="${mx}" y="${(y1 + y2) / 2 - 4}">${edge.label}</text>` : ''}</g>`;
  });
  const boxes = placed.map((n) => {
    const p = at.get(n.name)!;
    return html`<g class="node state-${n.state}" data-service="${n.name}" data-state="${n.state}"><rect x="${p.x}" y="${p.y}" width="${W}" height="${H}" rx="6"/><text x="${p.x + 10}" y="${p.y + 19}" class="name">${n.name}</text><text x="${p.x + 10}" y="${p.y + 36}" class="sub">${n.kind}${n.kind === 'infra' ? '' : ` · ${n.state}`}</text></g>`;
  });
  return html`<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="service graph">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>
${lines}${boxes}</svg>`;
}
