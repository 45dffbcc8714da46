import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileTree } from '../../src/files/file-tree.js';
import { renderTemplateDir, TEMPLATES_ROOT } from '../../src/generators/render-templates.js';
import { serviceTemplateContext } from '../../src/generators/service/service-context.js';
import { KIND_REPLACES } from '../../src/generators/service/template-layers.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';
import { everyVariant, render, service, SERVICE_PATH } from './service-matrix.js';

const PLATFORM = join(TEMPLATES_ROOT, '_partials', 'platform');

describe('service template folders', () => {
  it.each(everyVariant())('render $label with no undeclared collision and no empty file', async ({ input }) => {
    // generateService throws on a collision a folder did not declare, and on a template that renders to nothing
    const tree = await render(input);
    const empty = tree.entries().filter((entry) => !entry.path.endsWith('.gitkeep') && tree.read(entry.path)!.trim() === '');
    expect(empty).toEqual([]);
  });

  it.each(everyVariant())('give $label exactly the feature files its kind and features need', async ({ input }) => {
    const tree = await render(input);
    const has = (path: string) => tree.read(`${SERVICE_PATH}/${path}`) !== undefined;
    const grpcDeps = input.dependsOn.some((dep) => dep.kind === 'grpc');
    // A gateway calls the gRPC services it routes to, whatever its dependsOn.
    const grpcClient = grpcDeps || input.kind === 'gateway';
    expect(has('src/platform/postgres.ts')).toBe(input.db === 'postgres');
    expect(has('src/infra/postgres-repository.ts')).toBe(input.db === 'postgres' && input.kind === 'rest');
    expect(has('src/platform/amqp-connection.ts')).toBe(input.publishes.length + input.subscribes.length > 0);
    expect(has('src/platform/amqp-publisher.ts')).toBe(input.publishes.length > 0);
    expect(has('src/platform/grpc-client.ts')).toBe(grpcClient);
    expect(has('src/platform/google-rpc-details.ts')).toBe(grpcClient || input.kind === 'grpc');
    expect(has('src/http/trace-hooks.ts')).toBe(input.kind === 'rest' || input.kind === 'gateway');
  });

  // V8 builds an object literal with computed keys through its runtime: in a span's attributes
  // ({ [ATTR_URL_PATH]: path }) that was a third of an exported span's instructions
  // (bench/span-cost.sh). The names are written out; a key typo fails the services' span tests.
  it.each(everyVariant())('give $label span attributes as literal keys, not computed semantic-convention constants', async ({ input }) => {
    const tree = await render(input);
    const computed = tree
      .entries()
      .filter((entry) => entry.path.startsWith(`${SERVICE_PATH}/src/`) && entry.path.endsWith('.ts'))
      .flatMap((entry) => (tree.read(entry.path)!.match(/\[ATTR_[A-Z0-9_]+\]\s*:/g) ?? []).map((hit) => `${entry.path}: ${hit}`));
    expect(computed).toEqual([]);
  });

  it('let a kind replace only partial files that exist, and name them', () => {
    for (const [kind, paths] of Object.entries(KIND_REPLACES)) {
      for (const path of paths) {
        expect(existsSync(join(PLATFORM, path)) || existsSync(join(PLATFORM, `${path}.hbs`)), `${kind} replaces ${path}`).toBe(true);
      }
    }
  });
});

describe('renderTemplateDir layering', () => {
  let dir: string;
  const context = serviceTemplateContext(service({ name: 'orders', kind: 'rest' }));
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeDir(dir));

  it('refuses a folder that lands on an earlier folder\'s file without declaring it, and replaces it when declared', async () => {
    // Given the platform partial in a tree, and a folder with its own README.md
    writeFileSync(join(dir, 'README.md'), 'mine\n');
    const tree = new FileTree('/nonexistent-workspace');
    await renderTemplateDir(PLATFORM, tree, 'svc', context, 'orders');

    // Then rendering it over the partial fails, naming the path, unless it declares the replacement
    await expect(renderTemplateDir(dir, tree, 'svc', context, 'orders')).rejects.toThrow(/collides with svc\/README\.md/);
    expect(tree.read('svc/README.md')).toMatch(/^# orders/);
    await renderTemplateDir(dir, tree, 'svc', context, 'orders', { replaces: ['README.md'] });
    expect(tree.read('svc/README.md')).toBe('mine\n');
  });

  it('refuses a template that renders to nothing instead of dropping it', async () => {
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'db.ts.hbs'), '{{#if service.postgres}}\nexport const db = 1;\n{{/if}}\n');
    await expect(renderTemplateDir(dir, new FileTree('/x'), 'svc', context, 'orders')).rejects.toThrow(/db\.ts\.hbs rendered to nothing/);
  });

  it('renders the shared config table into every kind\'s README, with the kind\'s own rows', async () => {
    const readme = async (kind: 'rest' | 'grpc' | 'consumer') =>
      (await render(service({ name: 'svc', kind, subscribes: kind === 'consumer' ? ['order.placed'] : [] }))).read(`${SERVICE_PATH}/README.md`)!;
    for (const kind of ['rest', 'grpc', 'consumer'] as const) {
      expect(await readme(kind)).toMatch(/^\| `SHUTDOWN_GRACE_MS` \| `10000` \| how long a graceful shutdown may take/m);
    }
    expect(await readme('grpc')).toMatch(/^\| `SHUTDOWN_DRAIN_MS` \|/m);
    expect(await readme('consumer')).toMatch(/^\| `MAX_ATTEMPTS` \| `5` \|/m);
    expect(await readme('consumer')).toMatch(/^\| `AMQP_URL` \| required \|/m);
  });
});
