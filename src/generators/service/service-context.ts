import { envPrefix } from '../../models/names.js';
import type { Database, ServiceKind } from '../../models/schema.js';

export interface ServiceTemplateInput {
  workspaceName: string;
  name: string;
  context: string;
  kind: ServiceKind;
  port: number;
  db: Database;
  dependsOn: ReadonlyArray<{ name: string; kind: ServiceKind; port: number; context: string }>;
  publishes: readonly string[];
  subscribes: readonly string[];
}

/** The Handlebars context every service template is rendered with (templates/README.md documents it). */
export function serviceTemplateContext(input: ServiceTemplateInput) {
  const dependsOn = input.dependsOn.map((dep) => ({
    name: dep.name,
    envVar: `${envPrefix(dep.name)}_URL`,
    kind: dep.kind,
    port: dep.port,
    context: dep.context,
    pascal: pascalCase(dep.name),
    camel: camelCase(dep.name),
    entity: entityNames(dep.name),
  }));
  const publishes = input.publishes.map(eventNames);
  const subscribes = input.subscribes.map(eventNames);
  return {
    workspace: { name: input.workspaceName },
    service: {
      name: input.name,
      context: input.context,
      kind: input.kind,
      isGrpc: input.kind === 'grpc',
      isConsumer: input.kind === 'consumer',
      port: input.port,
      envPrefix: envPrefix(input.name),
      db: input.db,
      postgres: input.db === 'postgres',
    },
    entity: entityNames(input.name),
    dependsOn,
    publishes,
    subscribes,
    has: {
      grpcDeps: dependsOn.some((dep) => dep.kind === 'grpc'),
      // A gateway calls the gRPC services it routes to (their routes come from GATEWAY_ROUTES at run time).
      grpcClient: input.kind === 'gateway' || dependsOn.some((dep) => dep.kind === 'grpc'),
      // proto/ holds its own API (a gRPC service) and those of the gRPC services it calls or routes to.
      proto: input.kind === 'grpc' || input.kind === 'gateway' || dependsOn.some((dep) => dep.kind === 'grpc'),
      httpDeps: dependsOn.some((dep) => dep.kind !== 'grpc'),
      publishes: publishes.length > 0,
      subscribes: subscribes.length > 0,
      amqp: publishes.length > 0 || subscribes.length > 0,
    },
  };
}

export type ServiceTemplateContext = ReturnType<typeof serviceTemplateContext>;

/** `order.placed` → names for code: `OrderPlaced`, `orderPlaced`, `ORDER_PLACED`. */
function eventNames(name: string) {
  const words = name.split(/[.-]/);
  const pascal = words.map(capitalize).join('');
  return { name, pascal, camel: pascal.charAt(0).toLowerCase() + pascal.slice(1), constant: words.join('_').toUpperCase() };
}

function entityNames(serviceName: string) {
  const plural = serviceName;
  const singular = singularOf(plural);
  return { singular, plural, pascal: pascalCase(singular), pascalPlural: pascalCase(plural), table: plural.replace(/-/g, '_') };
}

/** `orders` → `order`, `stock` → `stock`; a guess that only names sample code. */
function singularOf(name: string): string {
  const last = name.split('-').pop() ?? name;
  if (last.endsWith('ies') && last.length > 4) return `${name.slice(0, -3)}y`;
  if (last.endsWith('s') && !last.endsWith('ss') && last.length > 3) return name.slice(0, -1);
  return name;
}

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
const pascalCase = (name: string) => name.split('-').map(capitalize).join('');
const camelCase = (name: string) => {
  const pascal = pascalCase(name);
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
};
