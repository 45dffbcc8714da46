import { existsSync } from 'node:fs';
import { UserError } from '../errors.js';
import { contextFiles, contextHash } from '../runtimes/docker/build-context.js';

/** Never part of an image's identity, whatever .dockerignore says: installed dependencies and VCS data. */
const ALWAYS_SKIPPED = ['node_modules', '.git'];

/**
 * The files of a service folder that a `docker build` would send: the docker
 * runtime's own reading of .dockerignore (one interpretation for both), less
 * node_modules and .git.
 */
export function deployContextFiles(dir: string): string[] {
  return contextFiles(dir).filter((path) => !ALWAYS_SKIPPED.some((skip) => path === skip || path.startsWith(`${skip}/`)));
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
  return contextHash(dir, deployContextFiles(dir), null).slice(0, 12);
}
