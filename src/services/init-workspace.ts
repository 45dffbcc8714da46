import { existsSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { FileTree, type TreeEntry } from '../files/file-tree.js';
import { renderTemplateDir, TEMPLATES_ROOT } from '../generators/render-templates.js';
import { nameProblem } from '../models/names.js';
import { WORKSPACE_FILE } from '../models/workspace.js';
import { initialWorkspaceText } from '../models/write-workspace.js';
import { parseWorkspace } from '../models/load-workspace.js';

export interface InitOptions {
  dir: string;
  name?: string;
  dryRun?: boolean;
}

export interface InitResult {
  root: string;
  name: string;
  files: TreeEntry[];
  dryRun: boolean;
}

/** Makes a new workspace: msx.yaml, contexts/, contracts/, README.md, .gitignore. */
export async function initWorkspace(options: InitOptions): Promise<InitResult> {
  const root = resolve(options.dir);
  // First: with a file in the way, a fixed --name would only lead to this error next.
  refuseFileInTheWay(root);
  const name = options.name ?? basename(root);
  const problem = nameProblem(name, 'workspace name');
  if (problem) {
    throw new UserError(problem, { hint: options.name ? 'pass a valid --name' : 'pass --name with a valid name, e.g. --name shop' });
  }
  if (existsSync(join(root, WORKSPACE_FILE))) {
    throw new UserError(`${root} already holds a workspace (${WORKSPACE_FILE})`, {
      hint: 'cd into it and run `msx new service`, or choose another folder',
      exit: 'conflict',
    });
  }
  const tree = new FileTree(root);
  const text = initialWorkspaceText(name);
  parseWorkspace(text, root);
  tree.create(WORKSPACE_FILE, text);
  await renderTemplateDir(join(TEMPLATES_ROOT, '_workspace'), tree, '.', { workspace: { name } }, name);
  if (!options.dryRun) await tree.flush();
  return { root, name, files: tree.entries(), dryRun: Boolean(options.dryRun) };
}

/**
 * DIR, or the nearest of its parents that exists, must be a folder: a file
 * there would fail the write half-way with ENOTDIR. Checked before anything
 * is rendered, so --dry-run says the same.
 */
function refuseFileInTheWay(root: string): void {
  let path = root;
  let stats = statIfThere(path);
  while (!stats && dirname(path) !== path) {
    path = dirname(path);
    stats = statIfThere(path);
  }
  if (stats && !stats.isDirectory()) {
    const problem = path === root ? 'a workspace needs a folder' : `so ${root} cannot be a folder`;
    throw new UserError(`${path} is a file; ${problem}`, {
      hint: 'choose another folder for the workspace, or move that file away',
      exit: 'conflict',
    });
  }
}

/** undefined for a path that is not there, also when a parent is a file (ENOTDIR). */
function statIfThere(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
