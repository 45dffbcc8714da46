import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { FileTree } from './file-tree.js';

/** templates/ at the package root, from src/generators or dist/generators alike. */
export const TEMPLATES_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates');

const handlebars = Handlebars.create();

/**
 * Renders one template folder into the tree under `prefix`: `*.hbs` files go
 * through Handlebars and lose the suffix (and are skipped when they render empty), `__name__` in paths becomes
 * `name`, `gitignore` becomes `.gitignore` (npm drops dotted .gitignore files
 * from published packages), everything else is copied byte for byte. A later call for the same
 * path wins, which is how a kind overrides a shared partial.
 */
export async function renderTemplateDir(
  templateDir: string,
  tree: FileTree,
  prefix: string,
  context: Record<string, unknown>,
  name: string,
): Promise<void> {
  for (const file of await listFiles(templateDir)) {
    const rel = relative(templateDir, file).split(sep).join('/');
    // Top-level `_name/` folders are rendered elsewhere (a kind's `_client/` goes into its dependents);
    // a top-level file named with the `__name__` placeholder is not one of them.
    const top = rel.split('/')[0];
    if (top !== rel && top.startsWith('_')) continue;
    if (top === rel && top.startsWith('_') && !top.startsWith('__name__')) continue;
    let target = rel.replaceAll('__name__', name).replace(/(^|\/)gitignore(\.hbs)?$/, '$1.gitignore$2');
    let content: string | Buffer = await readFile(file);
    if (target.endsWith('.hbs')) {
      target = target.slice(0, -'.hbs'.length);
      content = handlebars.compile(content.toString('utf8'), { noEscape: true, strict: true })(context);
      // A template wrapped in {{#if}} renders to nothing when it does not apply (postgres-only files).
      if (content.trim() === '') {
        tree.remove(`${prefix}/${target}`);
        continue;
      }
    }
    const mode = (await stat(file)).mode & 0o777;
    tree.create(`${prefix}/${target}`, content, mode);
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)])),
  );
  return nested.flat().sort();
}
