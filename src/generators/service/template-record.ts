import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { listTemplateFiles, TEMPLATES_ROOT } from '../render-templates.js';

/** Where a generated service records what made it, for a later `msx upgrade`. */
export const TEMPLATE_RECORD_FILE = '.msx-template.json';

/** The contents of `.msx-template.json`. */
export interface TemplateRecord {
  /** The msx version that generated the service (msx's own package.json). */
  msxVersion: string;
  /**
   * A content hash of the template folders the service was rendered from and the pinned
   * versions its package.json was built from: equal hashes mean byte-for-byte equal templates.
   */
  templateRevision: string;
  /** Those folders, relative to templates/, in the order they were rendered. */
  templates: string[];
}

/**
 * Records the msx version and a revision of exactly what made the service: the template
 * `folders` (relative to templates/) and `built`, what the generator wrote from code
 * (its package.json, without the service's name).
 */
export async function templateRecord(folders: readonly string[], built: unknown): Promise<TemplateRecord> {
  const hash = createHash('sha256');
  for (const folder of folders) {
    const dir = join(TEMPLATES_ROOT, ...folder.split('/'));
    for (const file of await listTemplateFiles(dir)) {
      // Path and content, each ended by a NUL, so that no two different trees hash alike.
      hash.update(`${relative(TEMPLATES_ROOT, file).split(sep).join('/')}\0`);
      hash.update(await readFile(file));
      hash.update('\0');
    }
  }
  hash.update(JSON.stringify(built));
  return { msxVersion: msxVersion(), templateRevision: `sha256:${hash.digest('hex').slice(0, 16)}`, templates: [...folders] };
}

let version: string | undefined;

/** templates/ and package.json sit side by side at the root of the msx package. */
function msxVersion(): string {
  version ??= (JSON.parse(readFileSync(join(TEMPLATES_ROOT, '..', 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}

export const templateRecordJson = (record: TemplateRecord) => `${JSON.stringify(record, null, 2)}\n`;
