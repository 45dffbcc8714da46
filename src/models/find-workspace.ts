import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { WORKSPACE_FILE } from './workspace.js';

/** Walks up from `start` to the folder holding msx.yaml. */
export function findWorkspaceRoot(start: string): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, WORKSPACE_FILE))) return dir;
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
