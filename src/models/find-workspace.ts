import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { WORKSPACE_FILE } from './workspace.js';

/**
 * Walks up from `start` to the folder holding msx.yaml. An msx.yaml that is
 * not a regular file (a folder, a socket) stops the walk with an error naming
 * it: reading it later would fail with EISDIR and a stack trace.
 */
export function findWorkspaceRoot(start: string): string {
  let dir = resolve(start);
  for (;;) {
    const file = join(dir, WORKSPACE_FILE);
    const stats = statSync(file, { throwIfNoEntry: false });
    if (stats?.isFile()) return dir;
    if (stats) {
      throw new UserError(`${file} is a ${stats.isDirectory() ? 'folder' : 'special file'}, not a file`, {
        hint: `${WORKSPACE_FILE} must be the workspace file: rename or remove that ${stats.isDirectory() ? 'folder' : 'file'}`,
      });
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new UserError(`no ${WORKSPACE_FILE} in ${resolve(start)} or any folder above it`, {
        hint: 'run `msx init` to make a workspace, or cd into one',
        exit: 'notFound',
      });
    }
    dir = parent;
  }
}
