import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMPLATE_RECORD_FILE } from '../../src/generators/service/template-record.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { everyVariant, packageJsonOf, render, service, SERVICE_PATH } from './service-matrix.js';

const grpcDep = { name: 'stock', kind: 'grpc', port: 3001, context: 'c' } as const;
const restDep = { name: 'billing', kind: 'rest', port: 3002, context: 'c' } as const;
const otel = {
  '@opentelemetry/api': '1.9.1',
  '@opentelemetry/core': '2.12.0',
  '@opentelemetry/exporter-trace-otlp-http': '0.223.0',
  '@opentelemetry/exporter-trace-otlp-proto': '0.223.0',
  '@opentelemetry/resources': '2.12.0',
  '@opentelemetry/sdk-trace-base': '2.12.0',
  '@opentelemetry/semantic-conventions': '1.45.0',
};
// jose: every service verifies service tokens and signs its calls (the service-auth partial).
const base = { cockatiel: '3.2.1', jose: '6.2.18', pino: '10.4.0', zod: '4.6.7', ...otel };
const baseDev = { '@types/node': '20.19.43', tsx: '4.23.14', typescript: '7.0.2', vitest: '4.1.12' };
const grpc = { '@grpc/grpc-js': '1.14.7', '@grpc/proto-loader': '0.8.1' };
const amqp = { ajv: '8.20.0', 'ajv-formats': '3.0.1', amqplib: '2.3.1' };

// What the per-kind package.json.hbs files gave these services before the one dependency map
// replaced them (plus OpenTelemetry, in every service since issue 16): the map must keep every version.
const BEFORE = [
  { input: service({ name: 'svc', kind: 'rest' }), deps: { ...base, fastify: '5.12.8' }, dev: baseDev },
  {
    input: service({ name: 'svc', kind: 'rest', db: 'postgres', dependsOn: [grpcDep], publishes: ['order.placed'] }),
    deps: { ...base, ...grpc, ...amqp, fastify: '5.12.8', pg: '8.23.1' },
    dev: { ...baseDev, '@types/pg': '8.23.1', protobufjs: '7.6.6' },
  },
  { input: service({ name: 'svc', kind: 'grpc' }), deps: { ...base, ...grpc, '@grpc/reflection': '1.0.4' }, dev: { ...baseDev, protobufjs: '7.6.6' } },
  {
    input: service({ name: 'svc', kind: 'grpc', db: 'postgres', dependsOn: [restDep], publishes: ['order.placed'] }),
    deps: { ...base, ...grpc, ...amqp, '@grpc/reflection': '1.0.4', pg: '8.23.1' },
    dev: { ...baseDev, '@types/pg': '8.23.1', protobufjs: '7.6.6' },
  },
  { input: service({ name: 'svc', kind: 'consumer', dependsOn: [grpcDep], subscribes: ['order.placed'] }), deps: { ...base, ...grpc, ...amqp }, dev: { ...baseDev, protobufjs: '7.6.6' } },
  {
    input: service({ name: 'svc', kind: 'consumer', db: 'postgres', subscribes: ['order.placed'], publishes: ['mail.sent'] }),
    deps: { ...base, ...amqp, pg: '8.23.1' },
    dev: { ...baseDev, '@types/pg': '8.23.1' },
  },
];

describe('the generated package.json', () => {
  it.each(BEFORE)('pins the same packages as before for $input.kind db=$input.db', async ({ input, deps, dev }) => {
    const pkg = packageJsonOf(await render(input, SERVICE_PATH), SERVICE_PATH);
    expect(pkg.dependencies).toStrictEqual(deps);
    expect(pkg.devDependencies).toStrictEqual(dev);
  });

  it('gives a gateway protobufjs and grpc-js to run with, and proto-loader for its tests only', async () => {
    const pkg = packageJsonOf(await render(service({ name: 'edge', kind: 'gateway' }), SERVICE_PATH), SERVICE_PATH);
    expect(pkg.dependencies).toStrictEqual({
      ...base,
      '@fastify/rate-limit': '11.2.0',
      '@fastify/reply-from': '12.6.5',
      '@grpc/grpc-js': '1.14.7',
      fastify: '5.12.8',
      ioredis: '5.9.2',
      protobufjs: '7.6.6',
      split2: '4.2.0',
    });
    expect(pkg.devDependencies).toStrictEqual({ ...baseDev, '@grpc/proto-loader': '0.8.1', '@types/split2': '4.2.3' });
  });

  it.each(everyVariant())('pins vite for vitest in $label, sorted as npm writes them', async ({ input }) => {
    const pkg = packageJsonOf(await render(input));
    // vite 8.4.0's optional dependency is a 404 here, and its lockfile then fails `npm ci`.
    expect(pkg.overrides).toStrictEqual({ vite: '8.3.8' });
    for (const deps of [pkg.dependencies, pkg.devDependencies]) {
      expect(Object.keys(deps)).toEqual(Object.keys(deps).sort());
      for (const version of Object.values(deps)) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    }
    expect(pkg.scripts).toMatchObject({ build: 'tsc -p tsconfig.build.json', test: 'vitest run', typecheck: 'tsc --noEmit' });
  });
});

describe('.msx-template.json', () => {
  const recordOf = async (input: Parameters<typeof render>[0]) =>
    JSON.parse((await render(input, SERVICE_PATH)).read(`${SERVICE_PATH}/${TEMPLATE_RECORD_FILE}`)!) as Record<string, unknown>;

  it('is in the tree --dry-run lists, with the msx version and the template folders used', async () => {
    const tree = await render(service({ name: 'svc', kind: 'rest', db: 'postgres' }), SERVICE_PATH);
    expect(tree.entries().map((entry) => entry.path)).toContain(`${SERVICE_PATH}/.msx-template.json`);
    const msx = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await recordOf(service({ name: 'svc', kind: 'rest', db: 'postgres' }))).toStrictEqual({
      msxVersion: msx.version,
      templateRevision: expect.stringMatching(/^sha256:[0-9a-f]{16}$/),
      templates: ['_partials/snippets', '_partials/platform', '_partials/service-auth', '_partials/fastify', '_partials/postgres', 'rest', 'rest/_postgres'],
    });
  });

  it('has one revision for the same templates, whatever the service is called, and another for other templates', async () => {
    const revision = async (input: Parameters<typeof render>[0]) => (await recordOf(input)).templateRevision;
    const orders = await revision(service({ name: 'orders', kind: 'rest' }));
    expect(await revision(service({ name: 'invoices', kind: 'rest', context: 'billing', port: 3100 }))).toBe(orders);
    expect(await revision(service({ name: 'orders', kind: 'rest', db: 'postgres' }))).not.toBe(orders);
    expect(await revision(service({ name: 'orders', kind: 'grpc' }))).not.toBe(orders);
  });
});
