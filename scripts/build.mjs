#!/usr/bin/env node
// `npm run build`: compiles into a fresh directory and swaps it in for dist/,
// so a CLI run (or a second build) in the same tree never sees a half-empty
// dist/ — `rm -rf dist && tsc` left one for the whole compile. Then writes
// oclif.manifest.json from the new dist/.
import { execFileSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fresh = join(root, `.dist-${process.pid}`);
const old = join(root, `.dist-old-${process.pid}`);
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: 'inherit' });

try {
  run(bin('tsc'), ['-p', 'tsconfig.json', '--outDir', fresh]);
  const dist = join(root, 'dist');
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(fresh, dist);
} catch (error) {
  process.exitCode = 1;
  if (!(error && typeof error === 'object' && 'status' in error)) console.error(error);
} finally {
  rmSync(fresh, { recursive: true, force: true });
  rmSync(old, { recursive: true, force: true });
}
if (process.exitCode !== 1) run(bin('oclif'), ['manifest']);
