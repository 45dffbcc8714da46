import { lstat, mkdtemp, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { UserError } from '../errors.js';

/**
 * The list of files msx wrote into an --out folder. Not `.json`: `kubectl
 * apply -f DIR` reads every .json/.yaml/.yml file in DIR as an object and
 * would fail on it. A list rather than a header in each file: what msx
 * deletes is then decided by what msx itself recorded, never by the content
 * of a file a user may have copied, renamed or edited.
 */
export const OUT_LIST = '.msx-manifests';

export interface OutFile {
  name: string;
  content: string;
}

export interface OutDirResult {
  created: string[];
  /** Files an earlier --out wrote, rewritten with other content. */
  replaced: string[];
  /** Files an earlier --out wrote with the same content. */
  unchanged: string[];
  /** Files an earlier --out wrote that this one no longer does (a service removed from msx.yaml). */
  removed: string[];
}

/** The one step that can fail midway; a parameter so a unit test can make it fail. */
export type RenameFile = (from: string, to: string) => Promise<void>;

interface OutDirState {
  exists: boolean;
  /** Names msx wrote here before, as its list says, that are still files here. */
  previous: Set<string>;
  /** Their content before this run, to tell replaced from unchanged. */
  previousContent: Map<string, string>;
}

/**
 * Writes `files` (plain names) into `dir`, all or nothing: the files an
 * earlier run listed are replaced or removed, every other file in `dir` is
 * left alone, and a name msx wants that a file msx did not write holds is
 * refused before anything is written. `isOwnName` says which names msx makes,
 * so a tampered list never makes msx touch anything else.
 */
export async function replaceOutDir(dir: string, files: readonly OutFile[], isOwnName: (name: string) => boolean, move: RenameFile = rename): Promise<OutDirResult> {
  const state = await inspectOutDir(dir, isOwnName);
  await refuseForeignFiles(dir, files, state);
  const list: OutFile = { name: OUT_LIST, content: listContent(files) };
  const all = [...files, list];
  await guardFs(dir, () => (state.exists ? swapInto(dir, all, state, move) : createWhole(dir, all, move)));
  const names = files.map((f) => f.name);
  const rewritten = files.filter((f) => state.previous.has(f.name));
  return {
    created: names.filter((n) => !state.previous.has(n)),
    replaced: rewritten.filter((f) => state.previousContent.get(f.name) !== f.content).map((f) => f.name),
    unchanged: rewritten.filter((f) => state.previousContent.get(f.name) === f.content).map((f) => f.name),
    removed: [...state.previous].filter((n) => !names.includes(n)).sort(),
  };
}

async function inspectOutDir(dir: string, isOwnName: (name: string) => boolean): Promise<OutDirState> {
  const existing = await nearestExisting(dir);
  if (!existing.isDirectory) {
    throw new UserError(`--out ${dir}: ${existing.path} is a file, not a folder`, {
      hint: 'pass a folder for one file per object (e.g. --out k8s/), or use --dry-run > FILE for one YAML stream' });
  }
  if (existing.path !== dir) return { exists: false, previous: new Set(), previousContent: new Map() };
  const previous = new Set<string>();
  const previousContent = new Map<string, string>();
  for (const name of await readOutList(dir)) {
    if (!isOwnName(name) || !(await statOf(join(dir, name)))?.isFile()) continue;
    previous.add(name);
    previousContent.set(name, (await readIfAny(dir, join(dir, name))) ?? '');
  }
  return { exists: true, previous, previousContent };
}

async function readOutList(dir: string): Promise<string[]> {
  const path = join(dir, OUT_LIST);
  const text = await readIfAny(dir, path);
  if (text === undefined) return [];
  try {
    const files = (JSON.parse(text) as { files?: unknown }).files;
    if (Array.isArray(files) && files.every((f) => typeof f === 'string')) return files;
  } catch {
    // Reported below, as the same problem.
  }
  throw new UserError(`${path} is not the list of files msx wrote (it was edited or damaged)`, {
    hint: `restore it from version control, or delete it and the files msx wrote in ${dir}` });
}

async function refuseForeignFiles(dir: string, files: readonly OutFile[], state: OutDirState): Promise<void> {
  if (!state.exists) return;
  for (const { name } of files) {
    if (state.previous.has(name) || !(await statOf(join(dir, name)))) continue;
    throw new UserError(`${join(dir, name)} exists and msx did not write it (it is not in ${OUT_LIST}); msx never overwrites such a file`, {
      hint: 'move it away, or choose another --out folder', exit: 'conflict' });
  }
}

/** A new folder: staged whole next to its shallowest missing ancestor, then moved in with one rename. */
async function createWhole(dir: string, files: readonly OutFile[], move: RenameFile): Promise<void> {
  const top = await shallowestMissing(dir);
  const staging = await mkdtemp(join(dirname(top), '.msx-out-'));
  try {
    const stagedDir = join(staging, 'top', relative(top, dir));
    await mkdir(stagedDir, { recursive: true });
    for (const file of files) await writeFile(join(stagedDir, file.name), file.content);
    await move(join(staging, 'top'), top);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * An existing folder: the new files are staged inside it; then each old file
 * of msx's is moved aside and each new one moved in. On a failure every move
 * is undone in reverse, so the folder is as it was.
 */
async function swapInto(dir: string, files: readonly OutFile[], state: OutDirState, move: RenameFile): Promise<void> {
  const staging = await mkdtemp(join(dir, '.msx-staging-'));
  const aside = await mkdtemp(join(dir, '.msx-replaced-'));
  const done: Array<[string, string]> = [];
  const step = async (from: string, to: string) => {
    await move(from, to);
    done.push([from, to]);
  };
  try {
    for (const file of files) await writeFile(join(staging, file.name), file.content);
    const old = [...state.previous, ...((await statOf(join(dir, OUT_LIST))) ? [OUT_LIST] : [])];
    for (const name of old) await step(join(dir, name), join(aside, name));
    for (const file of files) await step(join(staging, file.name), join(dir, file.name));
  } catch (error) {
    for (const [from, to] of done.reverse()) await rename(to, from).catch(() => undefined);
    throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(aside, { recursive: true, force: true });
  }
}

function listContent(files: readonly OutFile[]): string {
  const note = 'msx deploy --out replaces or removes the files listed here on its next run into this folder, and touches no other file';
  return `${JSON.stringify({ writtenBy: 'msx deploy --out', note, files: files.map((f) => f.name) }, null, 2)}\n`;
}

/** What the file system refuses is the user's to fix (a path, a permission, a full disk): one line, not a stack. */
async function guardFs(dir: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    throw fsError(dir, error as NodeJS.ErrnoException);
  }
}

const FS_PROBLEMS: Record<string, string> = {
  EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device', EDQUOT: 'disk quota exceeded', ENOTDIR: 'a part of the path is a file',
};

function fsError(dir: string, error: NodeJS.ErrnoException): Error {
  const problem = error.code ? FS_PROBLEMS[error.code] : undefined;
  if (!problem) return error;
  return new UserError(`--out ${dir}: cannot write there: ${problem} (${error.code}); nothing was written`, {
    hint: 'choose a folder you can write to, or fix its permissions' });
}

/** A file's text, or undefined when there is none; a file that cannot be read is the user's to fix. */
async function readIfAny(dir: string, path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fsError(dir, error as NodeJS.ErrnoException);
  }
}

async function statOf(path: string) {
  return lstat(path).catch(() => undefined);
}

/** Follows symlinks: an --out that is a link to a folder is that folder. */
async function nearestExisting(path: string): Promise<{ path: string; isDirectory: boolean }> {
  for (let current = path; ; current = dirname(current)) {
    const found = (await stat(current).catch(() => undefined)) ?? (await statOf(current));
    if (found) return { path: current, isDirectory: found.isDirectory() };
    if (dirname(current) === current) return { path: current, isDirectory: true };
  }
}

async function shallowestMissing(dir: string): Promise<string> {
  let top = dir;
  while (!(await statOf(dirname(top))) && dirname(top) !== top) top = dirname(top);
  return top;
}
