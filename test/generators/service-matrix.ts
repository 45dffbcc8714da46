import { FileTree } from '../../src/files/file-tree.js';
import { generateService } from '../../src/generators/service/generate-service.js';
import type { ServiceTemplateInput } from '../../src/generators/service/service-context.js';

export const SERVICE_PATH = 'contexts/c/svc';

export const service = (input: Partial<ServiceTemplateInput> & Pick<ServiceTemplateInput, 'name' | 'kind'>): ServiceTemplateInput => ({
  workspaceName: 'shop',
  context: 'c',
  port: 3000,
  db: 'none',
  dependsOn: [],
  publishes: [],
  subscribes: [],
  ...input,
});

const DEPENDENCIES = {
  none: [],
  grpc: [{ name: 'stock', kind: 'grpc', port: 3001, context: 'c' }],
  rest: [{ name: 'billing', kind: 'rest', port: 3002, context: 'c' }],
  consumer: [{ name: 'notifier', kind: 'consumer', port: 3003, context: 'c' }],
} as const satisfies Record<string, ServiceTemplateInput['dependsOn']>;

/** Every kind with every feature the generator chooses folders and packages by: db, dependencies' kinds, events. */
export function everyVariant(): Array<{ label: string; input: ServiceTemplateInput }> {
  const variants: Array<{ label: string; input: ServiceTemplateInput }> = [];
  for (const kind of ['rest', 'grpc', 'consumer'] as const) {
    for (const db of ['none', 'postgres'] as const) {
      for (const deps of Object.keys(DEPENDENCIES) as Array<keyof typeof DEPENDENCIES>) {
        for (const publishes of [[], ['order.shipped']]) {
          const subscribes = kind === 'consumer' ? ['order.placed'] : [];
          const label = `${kind} db=${db} dependsOn=${deps} publishes=${publishes.length > 0}`;
          variants.push({ label, input: service({ name: 'svc', kind, db, dependsOn: DEPENDENCIES[deps], publishes, subscribes }) });
        }
      }
    }
  }
  // A gateway has no db, events or generated clients: its upstreams come from GATEWAY_ROUTES.
  variants.push({ label: 'gateway', input: service({ name: 'svc', kind: 'gateway' }) });
  return variants;
}

/** Renders into an in-memory tree only: nothing is flushed, so no folder is needed. */
export async function render(input: ServiceTemplateInput, servicePath = `contexts/c/${input.name}`): Promise<FileTree> {
  const tree = new FileTree('/nonexistent-workspace');
  await generateService(tree, servicePath, input, '/nonexistent-workspace');
  return tree;
}

export function packageJsonOf(tree: FileTree, servicePath = SERVICE_PATH) {
  return JSON.parse(tree.read(`${servicePath}/package.json`)!) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    overrides: Record<string, string>;
    scripts: Record<string, string>;
  };
}
