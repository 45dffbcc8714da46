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
  ajv: '8.20.0',
  'ajv-formats': '3.0.1',
  amqplib: '2.3.1',
  cockatiel: '3.2.1',
  fastify: '5.12.8',
  ioredis: '5.9.2',
  jose: '6.2.18',
  pg: '8.23.1',
  pino: '10.4.0',
  zod: '4.6.7',
  '@types/node': '20.19.43',
  '@types/pg': '8.23.1',
  protobufjs: '7.6.6',
  tsx: '4.23.14',
  typescript: '5.9.3',
  vitest: '4.1.12',
  // vitest 4.1 asks for vite ^8; 8.4.0 has an optional dependency the registry answers with
  // 404, which leaves a lockfile `npm ci` (and so every image build) rejects. 8.3.8 has none.
  vite: '8.3.8',
} as const;

type Pinned = keyof typeof SERVICE_PINS;

/** Which packages go with what a service is and does: kind and features → dependencies. */
const DEPENDENCY_MAP: ReadonlyArray<{ applies: (c: ServiceTemplateContext) => boolean; dependencies?: Pinned[]; devDependencies?: Pinned[] }> = [
  { applies: () => true, dependencies: ['cockatiel', 'pino', 'zod'], devDependencies: ['@types/node', 'tsx', 'typescript', 'vitest'] },
  { applies: (c) => c.service.kind === 'rest', dependencies: ['fastify'] },
  { applies: (c) => c.service.kind === 'gateway', dependencies: ['fastify', '@fastify/reply-from', '@fastify/rate-limit', 'jose', 'ioredis'] },
  { applies: (c) => c.service.isGrpc, dependencies: ['@grpc/reflection'] },
  // protobufjs: the tests check the hand-written google.rpc wire format against it.
  { applies: (c) => c.has.proto, dependencies: ['@grpc/grpc-js', '@grpc/proto-loader'], devDependencies: ['protobufjs'] },
  { applies: (c) => c.has.amqp, dependencies: ['ajv', 'ajv-formats', 'amqplib'] },
  { applies: (c) => c.service.postgres, dependencies: ['pg'], devDependencies: ['@types/pg'] },
];

/** npm `overrides`: versions of packages the service does not name itself. */
const OVERRIDES: Pinned[] = ['vite'];

const DESCRIPTION: Record<ServiceKind, string> = { rest: 'service', grpc: 'gRPC service', consumer: 'event consumer', gateway: 'API gateway' };

/** The service's package.json, built from the one dependency map. */
export function servicePackage(context: ServiceTemplateContext) {
  const applying = DEPENDENCY_MAP.filter((entry) => entry.applies(context));
  return {
    name: context.service.name,
    version: '0.1.0',
    description: `${context.service.name} ${DESCRIPTION[context.service.kind]} (${context.service.context} context) of the ${context.workspace.name} workspace`,
    private: true,
    type: 'module',
    engines: { node: '>=20.19' },
    scripts: { build: 'tsc -p tsconfig.build.json', start: 'node dist/main.js', dev: 'tsx src/main.ts', test: 'vitest run', typecheck: 'tsc --noEmit' },
    dependencies: pinned(applying.flatMap((entry) => entry.dependencies ?? [])),
    devDependencies: pinned(applying.flatMap((entry) => entry.devDependencies ?? [])),
    overrides: pinned(OVERRIDES),
  };
}

export const packageJsonText = (pkg: ReturnType<typeof servicePackage>) => `${JSON.stringify(pkg, null, 2)}\n`;

/** Names → { name: exact version }, sorted by name as npm writes them. */
function pinned(names: Pinned[]): Record<string, string> {
  return Object.fromEntries([...new Set(names)].sort().map((name) => [name, SERVICE_PINS[name]]));
}
