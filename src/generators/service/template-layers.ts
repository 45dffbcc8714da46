import { join } from 'node:path';
import type { ServiceKind } from '../../models/schema.js';
import { TEMPLATES_ROOT } from '../render-templates.js';
import type { ServiceTemplateContext } from './service-context.js';

/** One template folder rendered into a service, in order: later folders go over earlier ones. */
export interface TemplateLayer {
  /** The folder, relative to templates/ (`_partials/amqp`, `rest`, `rest/_postgres`). */
  folder: string;
  /** Paths of earlier layers' files this folder replaces on purpose; any other collision is an error. */
  replaces: readonly string[];
}

type Applies = (context: ServiceTemplateContext) => boolean;

/**
 * The shared partials (templates/_partials/<folder>), each with the services it goes into.
 * A file applies when its folder does: no file decides that for itself by rendering empty.
 */
const PARTIALS: ReadonlyArray<{ folder: string; applies: Applies }> = [
  { folder: 'platform', applies: () => true },
  // Service tokens: every service verifies its callers and signs its calls (templates/README.md).
  { folder: 'service-auth', applies: () => true },
  // A fastify server's request spans and completed lines: the HTTP kinds (the gateway names its routes its own way).
  { folder: 'fastify', applies: (c) => c.service.kind === 'rest' || c.service.kind === 'gateway' },
  // google.rpc.Status details: sent by a gRPC service, decoded by a client of one.
  { folder: 'grpc-status', applies: (c) => c.service.isGrpc || c.has.grpcClient },
  { folder: 'grpc-client', applies: (c) => c.has.grpcClient },
  { folder: 'amqp', applies: (c) => c.has.amqp },
  { folder: 'amqp-publisher', applies: (c) => c.has.publishes },
  { folder: 'postgres', applies: (c) => c.service.postgres },
];

/** A kind's own optional folders (templates/<kind>/_<feature>), rendered after the kind's files. */
const KIND_FEATURES: Record<ServiceKind, ReadonlyArray<{ folder: string; applies: Applies }>> = {
  rest: [{ folder: '_postgres', applies: (c) => c.service.postgres }],
  grpc: [],
  consumer: [],
  // proto/ with its README from the start: the gRPC APIs of the services it routes to go there.
  gateway: [{ folder: '_grpc', applies: () => true }],
};

/**
 * The partial files a kind replaces with its own. Declared here so that a kind's file that
 * lands on a partial's path by accident fails the generator (and its tests) instead of
 * silently winning.
 */
export const KIND_REPLACES: Record<ServiceKind, readonly string[]> = {
  rest: [],
  // Their READMEs describe a different protocol; both include the shared config table.
  grpc: ['README.md'],
  consumer: ['README.md'],
  // Its collaborators are the upstreams its routes name, read from GATEWAY_ROUTES at run time.
  gateway: ['README.md', 'src/collaborators.ts'],
};

/** The folders a service is rendered from, in order: partials, its kind, the kind's features. */
export function serviceLayers(context: ServiceTemplateContext): TemplateLayer[] {
  const kind = context.service.kind;
  return [
    ...PARTIALS.filter((p) => p.applies(context)).map((p) => ({ folder: `_partials/${p.folder}`, replaces: [] })),
    { folder: kind, replaces: KIND_REPLACES[kind] },
    ...KIND_FEATURES[kind].filter((f) => f.applies(context)).map((f) => ({ folder: `${kind}/${f.folder}`, replaces: [] })),
  ];
}

export const layerDir = (folder: string) => join(TEMPLATES_ROOT, ...folder.split('/'));
