import { describe, expect, it } from 'vitest';
import { render, service } from './service-matrix.js';

describe('generateService, gRPC APIs', () => {
  it("gives a dependent the gRPC service's own proto, rendered from the one template, and a Dockerfile that ships it", async () => {
    // Given a gRPC service and a REST service that calls it
    const stock = await render(service({ name: 'stock', kind: 'grpc' }));
    const orders = await render(service({ name: 'orders', kind: 'rest', dependsOn: [{ name: 'stock', kind: 'grpc', port: 3001, context: 'c' }] }));

    // Then both hold the same proto/stock.proto, and both images copy proto/
    const served = stock.read('contexts/c/stock/proto/stock.proto');
    expect(served).toMatch(/service StockService \{/);
    expect(orders.read('contexts/c/orders/proto/stock.proto')).toBe(served);
    for (const [tree, name] of [[stock, 'stock'], [orders, 'orders']] as const) {
      expect(tree.read(`contexts/c/${name}/Dockerfile`)).toMatch(/^COPY proto \.\/proto$/m);
    }
  });

  it('leaves proto/ out of a service that neither is nor calls a gRPC service', async () => {
    const orders = await render(service({ name: 'orders', kind: 'rest', dependsOn: [{ name: 'billing', kind: 'rest', port: 3001, context: 'c' }] }));
    expect(orders.entries().filter((entry) => entry.path.includes('/proto/'))).toEqual([]);
    expect(orders.read('contexts/c/orders/Dockerfile')).not.toMatch(/COPY proto/);
  });
});
