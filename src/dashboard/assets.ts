import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';

/** The page's own files ship in the package (package.json "files": assets); htmx comes from its npm package. No CDN. */
const ASSETS_DIR = fileURLToPath(new URL('../../assets/dashboard/', import.meta.url));
const require = createRequire(import.meta.url);

const FILES: Record<string, { path: () => string; type: string }> = {
  'htmx.min.js': { path: () => require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript' },
  'dashboard.css': { path: () => `${ASSETS_DIR}dashboard.css`, type: 'text/css' },
  'logs.js': { path: () => `${ASSETS_DIR}logs.js`, type: 'text/javascript' },
  'waterfall.js': { path: () => `${ASSETS_DIR}waterfall.js`, type: 'text/javascript' },
};

const cache = new Map<string, Buffer>();

/** Serves /assets/NAME from memory after the first read; false when NAME is not one of ours. */
export async function serveAsset(name: string, res: ServerResponse): Promise<boolean> {
  const file = FILES[name];
  if (!file) return false;
  let body = cache.get(name);
  if (!body) cache.set(name, (body = await readFile(file.path())));
  res.writeHead(200, { 'content-type': `${file.type}; charset=utf-8`, 'cache-control': 'private, max-age=300' });
  res.end(body);
  return true;
}
