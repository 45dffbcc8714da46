import { describe, expect, it } from 'vitest';
import { layerGraph } from '../../src/dashboard/graph-layout.js';
import { html } from '../../src/dashboard/html.js';
import { orderSpans, type SpanView } from '../../src/dashboard/span-view.js';
import { waterfall } from '../../src/dashboard/waterfall.js';

const node = (name: string) => ({ name, kind: 'rest', state: 'ready' });
const spanView = (spanId: string, parentSpanId: string | undefined, startMs: number): SpanView => ({
  spanId, parentSpanId, startMs, durationMs: 1, name: spanId, service: 'a', status: 'unset', attributes: {}, events: [],
});

describe('the service graph layout', () => {
  it('puts each node one column after everything that flows into it (callers, publishers)', () => {
    // Given gateway → orders → stock, and orders publishing to mailer
    const placed = layerGraph([node('stock'), node('mailer'), node('orders'), node('gateway')], [
      { from: 'gateway', to: 'orders', type: 'calls' },
      { from: 'orders', to: 'stock', type: 'calls' },
      { from: 'orders', to: 'mailer', type: 'event', label: 'order.placed' },
    ]);
    const at = Object.fromEntries(placed.map((n) => [n.name, [n.column, n.row]]));
    expect(at).toEqual({ gateway: [0, 0], orders: [1, 0], stock: [2, 0], mailer: [2, 1] });
  });

  it('cuts a cycle where it closes instead of looping', () => {
    const placed = layerGraph([node('a'), node('b')], [
      { from: 'a', to: 'b', type: 'calls' },
      { from: 'b', to: 'a', type: 'event' },
    ]);
    expect(placed.map((n) => n.column).sort()).toEqual([0, 1]);
  });
});

describe('the waterfall', () => {
  it('orders spans depth-first from the roots, children by start; an orphan is a root', () => {
    const spans = [spanView('c2', 'r', 5), spanView('r', undefined, 0), spanView('c1', 'r', 2), spanView('g', 'c1', 3), spanView('orphan', 'gone', 1)];
    expect(orderSpans(spans).map(({ span, depth }) => `${span.spanId}@${depth}`)).toEqual(['r@0', 'c1@1', 'g@2', 'c2@1', 'orphan@0']);
  });

  it('orders a 10,000-deep chain without overflowing the stack', () => {
    const spans = Array.from({ length: 10_000 }, (_, i) => spanView(`s${i}`, i === 0 ? undefined : `s${i - 1}`, i));
    expect(orderSpans(spans).at(-1)).toMatchObject({ depth: 9_999 });
  });

  it('carries every span as a JSON row the page cannot mistake for markup', () => {
    const page = waterfall({ traceId: 'f'.repeat(32), spans: [spanView('r', undefined, 0), { ...spanView('x', 'r', 1), name: '</script><img src=x>' }] }).text;
    expect(page).toContain('data-count="2"');
    expect(page).not.toContain('</script><img');
    const json = page.slice(page.indexOf('>', page.indexOf('id="waterfall-data"')) + 1, page.lastIndexOf('</script>'));
    expect(JSON.parse(json).rows.map((row: unknown[]) => row[3])).toEqual(['r', '</script><img src=x>']);
  });
});

describe('html', () => {
  it('escapes what it interpolates, except its own results', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p title="${'"x" & y'}">${inner}${['a', '<'] as const}</p>`.text).toBe('<p title="&quot;x&quot; &amp; y"><b>&lt;i&gt;</b>a&lt;</p>');
  });
});
