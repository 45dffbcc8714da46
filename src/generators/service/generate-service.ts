import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import type { FileTree } from '../file-tree.js';
import { renderTemplateDir, TEMPLATES_ROOT } from '../render-templates.js';
import { addEventContracts } from './event-contracts.js';
import { serviceTemplateContext, type ServiceTemplateInput } from './service-context.js';

/** Shared platform code, rendered into every service before its kind's own files. */
const PLATFORM_PARTIALS = join(TEMPLATES_ROOT, '_partials', 'platform');

/**
 * Renders a service's whole npm package into `tree` at `servicePath`
 * (relative to the tree root, the workspace): platform partials, then the
 * kind's files, then a client for each dependency from that dependency's kind
 * (`templates/<kind>/_client/`), then copies of its event contracts.
 */
export async function generateService(
  tree: FileTree,
  servicePath: string,
  input: ServiceTemplateInput,
  workspaceRoot = tree.root,
): Promise<void> {
  const kindDir = join(TEMPLATES_ROOT, input.kind);
  if (!existsSync(kindDir)) {
    throw new UserError(`no template for kind "${input.kind}" in this version of msx`, { hint: 'use --kind rest', exit: 'usage' });
  }
  const context = serviceTemplateContext(input);
  await renderTemplateDir(PLATFORM_PARTIALS, tree, servicePath, context, input.name);
  await renderTemplateDir(kindDir, tree, servicePath, context, input.name);
  for (const dep of context.dependsOn) {
    const clientDir = join(TEMPLATES_ROOT, dep.kind, '_client');
    if (existsSync(clientDir)) await renderTemplateDir(clientDir, tree, servicePath, { ...context, client: dep }, dep.name);
  }
  addEventContracts(tree, workspaceRoot, servicePath, [...input.publishes, ...input.subscribes]);
}
