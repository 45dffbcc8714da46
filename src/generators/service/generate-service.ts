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
 * A kind's API definition (`templates/<kind>/proto/`): rendered into the service itself
 * with the other kind files, and into each dependent (with `client` set) beside its client.
 */
const API_DIR = 'proto';

/**
 * Renders a service's whole npm package into `tree` at `servicePath`
 * (relative to the tree root, the workspace): platform partials, then the
 * kind's files, then for each dependency a client from that dependency's kind
 * (`templates/<kind>/_client/`) and the dependency's API definition, then
 * copies of its event contracts.
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
    const clientContext = { ...context, client: dep };
    const clientDir = join(TEMPLATES_ROOT, dep.kind, '_client');
    if (existsSync(clientDir)) await renderTemplateDir(clientDir, tree, servicePath, clientContext, dep.name);
    // The same template as the dependency's own copy, so the two cannot drift apart.
    const apiDir = join(TEMPLATES_ROOT, dep.kind, API_DIR);
    if (existsSync(apiDir)) await renderTemplateDir(apiDir, tree, `${servicePath}/${API_DIR}`, clientContext, dep.name);
  }
  addEventContracts(tree, workspaceRoot, servicePath, [...input.publishes, ...input.subscribes]);
}
