import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import ignoreModule from '@balena/dockerignore';
import { UserError } from '../errors.js';

// The package is CommonJS (`module.exports = factory`) while its types declare
// a default export: under NodeNext the default import is the factory itself.
const createIgnore = ignoreModule as unknown as typeof ignoreModule.default;

/** Never part of an image's identity: installed dependencies and VCS data are rebuilt or unused. */
const ALWAYS_SKIPPED = ['node_modules', '.git'];

/** The files of a service folder that a `docker build` would send, filtered by its .dockerignore. */
export function contextFilter(dir: string): (relativePath: string) => boolean {
  const rules = createIgnore().add(ALWAYS_SKIPPED);
  const file = join(dir, '.dockerignore');
  if (existsSync(file)) rules.add(readFileSync(file, 'utf8').split(/\r?\n/));
  // The Dockerfile is read by the build even when .dockerignore lists it.
  return (path) => path === 'Dockerfile' || !rules.ignores(path);
}

/**
 * The image tag of a service: a hash of its build context (paths and
 * contents), so an unchanged service gets the same tag and an edit a new one.
 * Never `latest`: a tag must say which code runs.
 */
export async function contentTag(dir: string): Promise<string> {
  if (!existsSync(dir)) {
    throw new UserError(`${dir} does not exist`, { hint: 'fix the service path in msx.yaml or run `msx new service`', exit: 'notFound' });
  }
  const keep = contextFilter(dir);
  const hash = createHash('sha256');
  for (const path of await listFiles(dir, dir, keep)) {
    const content = await readFile(join(dir, path));
    hash.update(`${path}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex').slice(0, 12);
}

async function listFiles(root: string, dir: string, keep: (path: string) => boolean): Promise<string[]> {
  const files: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    const rel = relative(root, path).split(sep).join('/');
    if (!keep(rel)) continue;
    if (entry.isDirectory()) files.push(...(await listFiles(root, path, keep)));
    else if (entry.isFile()) files.push(rel);
  }
  return files;
}
