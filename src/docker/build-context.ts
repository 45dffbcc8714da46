import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import dockerignore from '@balena/dockerignore';

/** Files Docker needs whatever .dockerignore says: the daemon reads them, COPY does not see them. */
const ALWAYS_SENT = ['Dockerfile', '.dockerignore'];

/**
 * The files of a build context, relative and sorted, as `docker build` would
 * send them: .dockerignore honoured, ignored folders not even walked (so a
 * large node_modules costs nothing) unless a `!` pattern may re-include
 * something inside them.
 */
export function contextFiles(dir: string): string[] {
  const patterns = existsSync(join(dir, '.dockerignore')) ? readFileSync(join(dir, '.dockerignore'), 'utf8').split('\n') : [];
  // The package's CommonJS export is reached through `.default` under NodeNext.
  const matcher = dockerignore.default().add(patterns);
  const hasNegation = patterns.some((line) => line.trim().startsWith('!'));
  const files: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(dir, relative), { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      const ignored = matcher.ignores(path) && !ALWAYS_SENT.includes(path);
      if (entry.isDirectory()) {
        if (!ignored || hasNegation) walk(path);
      } else if (!ignored) {
        files.push(path);
      }
    }
  };
  walk('');
  return files.sort();
}

/**
 * The hash of what an image is built from: every context file's path,
 * executable bit and content, plus the build's own config. Two builds with
 * the same hash give the same image, so the hash is the image's tag and an
 * unchanged service is never rebuilt. File times are left out on purpose: a
 * checkout or `touch` changes nothing that ends up in the image.
 */
export function contextHash(dir: string, files: readonly string[], buildConfig: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(buildConfig ?? null)).update('\0');
  for (const file of files) {
    const path = join(dir, file);
    const stat = lstatSync(path);
    hash.update(`${file}\0${stat.mode & 0o111 ? 'x' : '-'}\0`);
    hash.update(stat.isSymbolicLink() ? `-> ${readlinkSync(path)}` : readFileSync(path));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}
