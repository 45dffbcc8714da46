import { envPrefix } from '../../models/names.js';
import type { ServiceKind, Database } from '../../models/schema.js';

export interface ServiceTemplateInput {
  workspaceName: string;
  name: string;
  context: string;
  kind: ServiceKind;
  port: number;
  db: Database;
  dependsOn: ReadonlyArray<{ name: string; kind: ServiceKind }>;
  publishes: readonly string[];
  subscribes: readonly string[];
}

/** The Handlebars context every service template is rendered with (templates/README.md). */
export function serviceTemplateContext(input: ServiceTemplateInput) {
  const plural = input.name;
  const singular = singularOf(plural);
  return {
    workspace: { name: input.workspaceName },
    service: {
      name: input.name,
      context: input.context,
      kind: input.kind,
      port: input.port,
      envPrefix: envPrefix(input.name),
      db: input.db,
      postgres: input.db === 'postgres',
    },
    entity: { singular, plural, pascal: pascalCase(singular), pascalPlural: pascalCase(plural) },
    dependsOn: input.dependsOn.map((dep) => ({ name: dep.name, envVar: `${envPrefix(dep.name)}_URL`, kind: dep.kind })),
    publishes: [...input.publishes],
    subscribes: [...input.subscribes],
  };
}

/** `orders` → `order`, `stock` → `stock`; a guess that only names sample code. */
function singularOf(name: string): string {
  const last = name.split('-').pop() ?? name;
  if (last.endsWith('ies') && last.length > 4) return `${name.slice(0, -3)}y`;
  if (last.endsWith('s') && !last.endsWith('ss') && last.length > 3) return name.slice(0, -1);
  return name;
}

function pascalCase(name: string): string {
  return name.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}
