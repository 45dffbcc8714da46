import { existsSync } from 'node:fs';
import { UserError } from '../../errors.js';
import type { FileTree } from '../../files/file-tree.js';
import { renderTemplateDir } from '../render-templates.js';
import { addEventContracts } from './event-contracts.js';
import { packageJsonText, servicePackage } from './package-json.js';
import { serviceTemplateContext, type ServiceTemplateContext, type ServiceTemplateInput } from './service-context.js';
import { layerDir, serviceLayers } from './template-layers.js';
import { TEMPLATE_RECORD_FILE, templateRecord, templateRecordJson } from './template-record.js';

/**
 * A kind's API definition (`templates/<kind>/proto/`): rendered into the service itself
 * with the other kind files, and into each dependent (with `client` set) beside its client.
 */
const API_DIR = 'proto';

/** The Handlebars partials (`{{> config-table}}`): part of every service's templates. */
const SNIPPETS = '_partials/snippets';

/**
 * Renders a service's whole npm package into `tree` at `servicePath`
 * (relative to the tree root, the workspace): the partial folders that apply
 * (platform always), the kind's files, then for each dependency a client from
 * that dependency's kind (`templates/<kind>/_client/`) and the dependency's API
 * definition, then copies of its event contracts; package.json is built in code,
 * and `.msx-template.json` records the msx version and template revision.
 */
export async function generateService(
  tree: FileTree,
  servicePath: string,
  input: ServiceTemplateInput,
  workspaceRoot = tree.root,
): Promise<void> {
  if (!existsSync(layerDir(input.kind))) {
    throw new UserError(`no template for kind "${input.kind}" in this version of msx`, { hint: 'use --kind rest', exit: 'usage' });
  }
  const context = serviceTemplateContext(input);
  const folders = [SNIPPETS];
  for (const layer of serviceLayers(context)) {
    await renderTemplateDir(layerDir(layer.folder), tree, servicePath, context, input.name, { replaces: layer.replaces });
    folders.push(layer.folder);
  }
  folders.push(...(await renderDependencies(tree, servicePath, context)));
  const pkg = servicePackage(context);
  createBuilt(tree, `${servicePath}/package.json`, packageJsonText(pkg));
  // The revision names the templates, not the service: its name and description stay out.
  const { name, description, ...built } = pkg;
  createBuilt(tree, `${servicePath}/${TEMPLATE_RECORD_FILE}`, templateRecordJson(await templateRecord(folders, built)));
  addEventContracts(tree, workspaceRoot, servicePath, [...input.publishes, ...input.subscribes]);
}

/** Each dependency's client and API definition; returns the template folders used. */
async function renderDependencies(tree: FileTree, servicePath: string, context: ServiceTemplateContext): Promise<string[]> {
  const used: string[] = [];
  for (const dep of context.dependsOn) {
    const clientContext = { ...context, client: dep };
    const clientFolder = `${dep.kind}/_client`;
    if (existsSync(layerDir(clientFolder))) {
      await renderTemplateDir(layerDir(clientFolder), tree, servicePath, clientContext, dep.name);
      used.push(clientFolder);
    }
    // The same template as the dependency's own copy, so the two cannot drift apart.
    const apiFolder = `${dep.kind}/${API_DIR}`;
    if (existsSync(layerDir(apiFolder))) {
      await renderTemplateDir(layerDir(apiFolder), tree, `${servicePath}/${API_DIR}`, clientContext, dep.name);
      used.push(apiFolder);
    }
  }
  return [...new Set(used)];
}

/** A file the generator writes from code: no template may have put one there. */
function createBuilt(tree: FileTree, path: string, content: string): void {
  if (tree.read(path) !== undefined) throw new Error(`${path} is built by the generator; no template may hold it`);
  tree.create(path, content);
}
