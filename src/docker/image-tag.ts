import { existsSync } from 'node:fs';
import { UserError } from '../errors.js';
import { contextFiles, contextHash } from './build-context.js';

/**
 * What a build depends on besides the context's files; a change here rebuilds too.
 * `builder` stays 'legacy' though msx now builds through BuildKit where the engine
 * has it: both make the same image from the same context, so tags (and the images
 * users already have) stay as they were.
 */
const BUILD_CONFIG = { dockerfile: 'Dockerfile', builder: 'legacy' };

/**
 * Hex digits of the context hash in a tag: Docker's own short id length.
 * Tags are compared only per service, so 48 bits never collide in practice.
 */
const HASH_LENGTH = 12;

/** A service's build context: its folder, with its Dockerfile. */
export interface ImageSource {
  service: string;
  dir: string;
  /** A Dockerfile stage other than the last (`dev`): part of the hash, so the two never share a tag. */
  target?: string;
}

/** A service's image as its context hashes now. */
export interface TaggedImage extends ImageSource {
  /** `<repository>:<hash>` */
  tag: string;
  hash: string;
  /** The context files, as `docker build` sends them; the build packs exactly these. */
  files: string[];
}

/**
 * The one image tag of a service's code: a hash of what `docker build` sends
 * (.dockerignore honoured) and of the build's config, after `repository`.
 * `msx up --runtime docker` and `msx deploy` both tag with it, so the same
 * unchanged service carries the same hash in both, an edit a new one, and
 * never `latest`: a tag says which code runs.
 */
export function contentTag(repository: string, source: ImageSource): TaggedImage {
  if (!existsSync(source.dir)) {
    throw new UserError(`the folder of service "${source.service}", ${source.dir}, does not exist`, {
      hint: 'fix the service path in msx.yaml or run `msx new service`',
      exit: 'notFound',
    });
  }
  const files = contextFiles(source.dir);
  const hash = contextHash(source.dir, files, source.target ? { ...BUILD_CONFIG, target: source.target } : BUILD_CONFIG).slice(0, HASH_LENGTH);
  return { ...source, tag: `${repository}:${hash}`, hash, files };
}
