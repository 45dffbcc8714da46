import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { msxFile, stateDir } from '../../state/paths.js';

/** sun_path holds 108 bytes with its terminating NUL: a longer socket path fails with EINVAL. */
const MAX_SOCKET_PATH_BYTES = 107;

/** Where a supervisor that chose a short socket path says so, for the clients (a workspace deep in the tree). */
const pointerFile = (root: string) => join(stateDir(root), 'supervisor-sock-path');

/** The path the supervisor listens on: .msx/supervisor.sock, or a short one under the temp folder when that is too long. */
export function chooseSocketPath(root: string): string {
  const preferred = msxFile.supervisorSocket(root);
  rmSync(pointerFile(root), { force: true });
  if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH_BYTES) return preferred;
  const short = join(tmpdir(), `msx-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.sock`);
  mkdirSync(stateDir(root), { recursive: true });
  writeFileSync(pointerFile(root), `${short}\n`);
  return short;
}

/** The path a client connects to: the one the running supervisor recorded, else .msx/supervisor.sock. */
export function socketPathOf(root: string): string {
  const pointer = pointerFile(root);
  return existsSync(pointer) ? readFileSync(pointer, 'utf8').trim() : msxFile.supervisorSocket(root);
}

export function forgetSocketPath(root: string, path: string): void {
  rmSync(path, { force: true });
  rmSync(pointerFile(root), { force: true });
}
