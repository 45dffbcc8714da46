import { spawnSync } from 'node:child_process';
import { removeDanglingSince } from '../runtimes/docker/docker-cli.js';

/**
 * vitest globalSetup: once every test file has ended, the untagged build-stage
 * images the run's legacy-builder builds left (DOCKER_BUILDKIT=0 runs, the
 * docker CLI here; BuildKit leaves none; see removeLabelled). Not per file: with
 * two workers, one file's cleanup would delete the stages of a build the other
 * is still running.
 */
export default function setup(): () => void {
  const since = new Date();
  return () => {
    if (spawnSync('docker', ['version'], { stdio: 'ignore' }).status === 0) removeDanglingSince(since);
  };
}
