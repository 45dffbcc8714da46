import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findWorkspaceRoot } from '../models/find-workspace.js';
import { WORKSPACE_FILE, type WorkspaceData } from '../models/workspace.js';
import { msxFile } from './paths.js';

const MSX_VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

/**
 * The validated workspace for commands that only read it (up, ps, down, logs).
 * The loader's result is cached in .msx/workspace.json, with the msx.yaml
 * text, the folder and the msx version it came from, so these commands skip
 * importing YAML and zod when none of them has changed (compared as they are:
 * no hashing, which would load node:crypto on every run). Validation is the
 * same: a miss goes through the one loader.
 */
export async function readWorkspace(start = process.cwd()): Promise<WorkspaceData> {
  const root = findWorkspaceRoot(start);
  const text = readFileSync(join(root, WORKSPACE_FILE), 'utf8');
  const key = `${MSX_VERSION}\0${root}\0${text}`;
  const cacheFile = msxFile.workspaceCache(root);
  const cached = readCache(cacheFile);
  if (cached?.key === key) return cached.workspace;
  const { parseWorkspace } = await import('../models/load-workspace.js');
  const { document: _yaml, ...workspace } = parseWorkspace(text, root);
  writeCache(cacheFile, { key, workspace });
  return workspace;
}

interface CacheEntry {
  /** msx version, workspace folder and msx.yaml text, NUL-separated. */
  key: string;
  workspace: WorkspaceData;
}

function readCache(file: string): CacheEntry | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CacheEntry;
  } catch {
    return undefined;
  }
}

/** Best effort: a read-only workspace still works, just without the cache. */
function writeCache(file: string, entry: CacheEntry): void {
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(entry));
    renameSync(`${file}.${process.pid}`, file);
  } catch {
    // ignored on purpose
  }
}
