import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { FileTree } from '../files/file-tree.js';

/** templates/ at the package root, from src/generators or dist/generators alike. */
export const TEMPLATES_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates');

/** Handlebars partials (`{{> name}}`), one per `*.hbs` file: text several templates include, kept once. */
export const SNIPPETS_DIR = join(TEMPLATES_ROOT, '_partials', 'snippets');

let handlebars: typeof Handlebars | undefined;

function engine(): typeof Handlebars {
  if (handlebars) return handlebars;
  handlebars = Handlebars.create();
  for (const file of readdirSync(SNIPPETS_DIR).filter((f) => f.endsWith('.hbs'))) {
    handlebars.registerPartial(basename(file, '.hbs'), readFileSync(join(SNIPPETS_DIR, file), 'utf8'));
  }
  return handlebars;
}

export interface RenderOptions {
  /**
   * Paths (relative to `prefix`, as rendered) this folder may replace when an earlier
   * folder already put a file there. Any other path already in the tree is an error:
   * layers never overwrite each other silently.
   */
  replaces?: readonly string[];
}

/**
 * Renders one template folder into the tree under `prefix`: `*.hbs` files go
 * through Handlebars and lose the suffix, `__name__` in paths becomes `name`,
 * `gitignore` becomes `.gitignore` (npm drops dotted .gitignore files from
 * published packages), everything else is copied byte for byte. Top-level
 * `_name/` folders are not part of the folder: the generator picks them itself.
 */
export async function renderTemplateDir(
  templateDir: string,
  tree: FileTree,
  prefix: string,
  context: Record<string, unknown>,
  name: string,
  options: RenderOptions = {},
): Promise<void> {
  const replaces = new Set(options.replaces ?? []);
  for (const file of await listTemplateFiles(templateDir)) {
    const rel = relative(templateDir, file).split(sep).join('/');
    let target = rel.replaceAll('__name__', name).replace(/(^|\/)gitignore(\.hbs)?$/, '$1.gitignore$2');
    let content: string | Buffer = await readFile(file);
    if (target.endsWith('.hbs')) {
      target = target.slice(0, -'.hbs'.length);
      content = engine().compile(content.toString('utf8'), { noEscape: true, strict: true })(context);
      // Whether a file applies is decided by the folder it is in, not by rendering to nothing.
      if (content.trim() === '') throw new Error(`template ${file} rendered to nothing`);
    }
    const path = `${prefix}/${target}`;
    if (tree.read(path) !== undefined && !replaces.has(target)) {
      throw new Error(`template ${file} collides with ${path} from an earlier template folder, and does not declare that it replaces it`);
    }
    const mode = (await stat(file)).mode & 0o777;
    tree.create(path, content, mode);
  }
}

/** Every file of a template folder, sorted, without its top-level `_name/` folders and `_name` files. */
export async function listTemplateFiles(templateDir: string): Promise<string[]> {
  return (await listFiles(templateDir)).filter((file) => {
    const rel = relative(templateDir, file).split(sep).join('/');
    const top = rel.split('/')[0];
    // A kind's `_client/` goes into its dependents, `_<feature>/` is chosen in code;
    // a top-level file named with the `__name__` placeholder is not one of them.
    if (top !== rel) return !top.startsWith('_');
    return !top.startsWith('_') || top.startsWith('__name__');
  });
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)])),
  );
  return nested.flat().sort();
}
