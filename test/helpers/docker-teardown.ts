import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDanglingSince } from '../runtimes/docker/docker-cli.js';

/**
 * vitest globalSetup: once every test file has ended, the untagged build-stage
 * images the run's legacy-builder builds left (DOCKER_BUILDKIT=0 runs, the
 * docker CLI here; BuildKit leaves none; see removeLabelled). Not per file: with
 * two workers, one file's cleanup would delete the stages of a build the other
 * is still running. Also the run's port claims (freePort in processes.ts), at its start and end.
 */
export default function setup(): () => void {
  const since = new Date();
  const claims = join(tmpdir(), 'msx-test-ports');
  rmSync(claims, { recursive: true, force: true });
  return () => {
    rmSync(claims, { recursive: true, force: true });
    if (spawnSync('docker', ['version'], { stdio: 'ignore' }).status === 0) removeDanglingSince(since);
  };
}
