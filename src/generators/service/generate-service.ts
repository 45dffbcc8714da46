import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import { FileTree } from '../file-tree.js';
import { renderTemplateDir, TEMPLATES_ROOT } from '../render-templates.js';
import { serviceTemplateContext, type ServiceTemplateInput } from './service-context.js';

/** Shared platform code, rendered into every service before its kind's own files. */
const PLATFORM_PARTIALS = join(TEMPLATES_ROOT, '_partials', 'platform');

/**
 * Renders a service's whole npm package into `tree` at `servicePath`
 * (relative to the tree root): platform partials first, then the kind's files.
 */
export async function generateService(tree: FileTree, servicePath: string, input: ServiceTemplateInput): Promise<void> {
  const kindDir = join(TEMPLATES_ROOT, input.kind);
  if (!existsSync(kindDir)) {
    throw new UserError(`no template for kind "${input.kind}" in this version of msx`, {
      hint: 'use --kind rest',
      exit: 'usage',
    });
  }
  const context = serviceTemplateContext(input);
  await renderTemplateDir(PLATFORM_PARTIALS, tree, servicePath, context, input.name);
  await renderTemplateDir(kindDir, tree, servicePath, context, input.name);
}
