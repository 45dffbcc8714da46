import type { ServiceKind } from '../../models/schema.js';
import type { ServiceTemplateContext } from './service-context.js';

/**
 * Every package a generated service may depend on, pinned exactly, once: versions checked
 * together on Node 20 (several newest majors need Node 22).
 */
export const SERVICE_PINS = {
  '@grpc/grpc-js': '1.14.7',
  '@grpc/proto-loader': '0.8.1',
  '@grpc/reflection': '1.0.4',
  '@fastify/rate-limit': '11.2.0',
  '@fastify/reply-from': '12.6.5',
  // OpenTelemetry: the 0.223 / 2.12 line with api 1.9.1 is the one that runs on Node 20 (0.301 / 2.13+ want 22.15).
  '@opentelemetry/api': '1.9.1',
  '@opentelemetry/core': '2.12.0',
  '@opentelemetry/exporter-trace-otlp-http': '0.223.0',
  '@opentelemetry/exporter-trace-otlp-proto': '0.223.0',
  '@opentelemetry/resources': '2.12.0',
  '@opentelemetry/sdk-trace-base': '2.12.0',
  '@opentelemetry/semantic-conventions': '1.45.0',
  ajv: '8.20.0',
  'ajv-formats': '3.0.1',
  amqplib: '2.3.1',
  cockatiel: '3.2.1',
  fastify: '5.12.8',
  ioredis: '5.9.2',
  jose: '6.2.18',
  pg: '8.23.1',
  pino: '10.4.0',
  // split2: a gateway reads an application/x-ndjson body a line at a time (src/proxy/grpc-ndjson.ts); the version pino's own transport uses.
  split2: '4.2.0',
  zod: '4.6.7',
  '@types/node': '20.19.43',
  '@types/pg': '8.23.1',
  '@types/split2': '4.2.3',
  protobufjs: '7.6.6',
  tsx: '4.23.14',
  typescript: '7.0.2',
  vitest: '4.1.12',
  // vitest 4.1 asks for vite ^8; 8.4.0 has an optional dependency the registry answers with
  // 404, which leaves a lockfile `npm ci` (and so every image build) rejects. 8.3.8 has none.
  vite: '8.3.8',
} as const;

type Pinned = keyof typeof SERVICE_PINS;

/** Spans: the API, the SDK's batch processor, the OTLP/HTTP exporters (protobuf, and JSON when asked for); in every service. */
const OTEL: Pinned[] = [
  '@opentelemetry/api',
  '@opentelemetry/core',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/exporter-trace-otlp-proto',
  '@opentelemetry/resources',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/semantic-conventions',
];

/** Which packages go with what a service is and does: kind and features → dependencies. */
const DEPENDENCY_MAP: ReadonlyArray<{ applies: (c: ServiceTemplateContext) => boolean; dependencies?: Pinned[]; devDependencies?: Pinned[] }> = [
  { applies: () => true, dependencies: ['cockatiel', 'jose', 'pino', 'zod', ...OTEL], devDependencies: ['@types/node', 'tsx', 'typescript', 'vitest'] },
  { applies: (c) => c.service.kind === 'rest', dependencies: ['fastify'] },
  // protobufjs: a gRPC route reads the service's API and maps proto3 JSON with its reflection (src/proxy/proto-json.ts).
  { applies: (c) => c.service.kind === 'gateway', dependencies: ['fastify', '@fastify/reply-from', '@fastify/rate-limit', 'jose', 'ioredis', 'protobufjs', 'split2'], devDependencies: ['@types/split2'] },
  { applies: (c) => c.service.isGrpc, dependencies: ['@grpc/reflection'] },
  // protobufjs: the tests check the hand-written google.rpc wire format against it.
  { applies: (c) => c.has.proto && c.service.kind !== 'gateway', dependencies: ['@grpc/grpc-js', '@grpc/proto-loader'], devDependencies: ['protobufjs'] },
  // A gateway calls with protobufjs' reflection; only its tests load a proto with proto-loader (their test server).
  { applies: (c) => c.service.kind === 'gateway', dependencies: ['@grpc/grpc-js'], devDependencies: ['@grpc/proto-loader'] },
  { applies: (c) => c.has.amqp, dependencies: ['ajv', 'ajv-formats', 'amqplib'] },
  { applies: (c) => c.service.postgres, dependencies: ['pg'], devDependencies: ['@types/pg'] },
];

/** npm `overrides`: versions of packages the service does not name itself. */
const OVERRIDES: Pinned[] = ['vite'];

const DESCRIPTION: Record<ServiceKind, string> = { rest: 'service', grpc: 'gRPC service', consumer: 'event consumer', gateway: 'API gateway' };

/** The service's package.json, built from the one dependency map. */
export function servicePackage(context: ServiceTemplateContext) {
  const applying = DEPENDENCY_MAP.filter((entry) => entry.applies(context));
  const dependencies = applying.flatMap((entry) => entry.dependencies ?? []);
  return {
    name: context.service.name,
    version: '0.1.0',
    description: `${context.service.name} ${DESCRIPTION[context.service.kind]} (${context.service.context} context) of the ${context.workspace.name} workspace`,
    private: true,
    type: 'module',
    engines: { node: '>=20.19' },
    scripts: { build: 'tsc -p tsconfig.build.json', start: 'node dist/main.js', dev: 'tsx src/main.ts', test: 'vitest run', typecheck: 'tsc --noEmit' },
    dependencies: pinned(dependencies),
    // A package the service runs with is not a dev dependency too (a gateway's protobufjs).
    devDependencies: pinned(applying.flatMap((entry) => entry.devDependencies ?? []).filter((name) => !dependencies.includes(name))),
    overrides: pinned(OVERRIDES),
  };
}

export const packageJsonText = (pkg: ReturnType<typeof servicePackage>) => `${JSON.stringify(pkg, null, 2)}\n`;

/** Names → { name: exact version }, sorted by name as npm writes them. */
function pinned(names: Pinned[]): Record<string, string> {
  return Object.fromEntries([...new Set(names)].sort().map((name) => [name, SERVICE_PINS[name]]));
}
