import { spawnSync } from 'node:child_process';

/** The docker CLI, for checks independent of msx's own client. Returns stdout; throws on failure. */
export function docker(args: string[]): string {
  const result = spawnSync('docker', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`docker ${args.join(' ')} exited ${result.status}: ${result.stderr || result.error?.message}`);
  return result.stdout.trim();
}

const lines = (text: string) => text.split('\n').filter((line) => line !== '');

/** Why the docker e2e tests cannot run here, or undefined when they can. */
export function dockerProblem(baseImage = 'node:20-slim'): string | undefined {
  const version = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' });
  if (version.error) return `no docker CLI (${version.error.message})`;
  if (version.status !== 0) return `no Docker engine answers (${version.stderr.trim().split('\n')[0]}); run: bash scripts/setup-docker.sh`;
  if (spawnSync('docker', ['image', 'inspect', baseImage]).status !== 0) return `the base image ${baseImage} is missing; run: bash scripts/setup-docker.sh`;
  return undefined;
}

export interface LabelledObjects {
  containers: string[];
  networks: string[];
  volumes: string[];
  images: string[];
}

/** Everything carrying the workspace label, found with the docker CLI. */
export function labelledObjects(workspace: string): LabelledObjects {
  const filter = `label=dev.msx.workspace=${workspace}`;
  return {
    containers: lines(docker(['ps', '-a', '--filter', filter, '--format', '{{.Names}}'])),
    networks: lines(docker(['network', 'ls', '--filter', filter, '--format', '{{.Name}}'])),
    volumes: lines(docker(['volume', 'ls', '--filter', filter, '--format', '{{.Name}}'])),
    images: lines(docker(['images', '--filter', filter, '--format', '{{.Repository}}:{{.Tag}}'])),
  };
}

/**
 * Removes what a test run made, by label, whatever state it stopped in.
 * BuildKit (msx's builder where the engine has it) leaves no stage images, only
 * build cache; the legacy builder's (DOCKER_BUILDKIT=0) untagged build-stage
 * images are not labelled (it labels only the final stage), so they cannot be told from those of a
 * build another test file runs at the same moment (two workers): they go once
 * the whole run has ended (removeDanglingSince, from test/helpers/docker-teardown.ts).
 */
export function removeLabelled(workspace: string, _since?: Date): void {
  const found = labelledObjects(workspace);
  const run = (args: string[]) => spawnSync('docker', args, { encoding: 'utf8' });
  if (found.containers.length > 0) run(['rm', '-f', '-v', ...found.containers]);
  if (found.networks.length > 0) run(['network', 'rm', ...found.networks]);
  if (found.volumes.length > 0) run(['volume', 'rm', '-f', ...found.volumes]);
  if (found.images.length > 0) run(['rmi', '-f', ...found.images]);
}

/** Dangling images made since `since`: the build stages of the run's builds (and nothing older). */
export function removeDanglingSince(since: Date): void {
  const run = (args: string[]) => spawnSync('docker', args, { encoding: 'utf8' });
  const dangling = lines(run(['images', '-q', '--filter', 'dangling=true']).stdout ?? '');
  for (const id of dangling) {
    const created = run(['image', 'inspect', '--format', '{{.Created}}', id]).stdout.trim();
    if (Date.parse(created) >= since.getTime()) run(['rmi', id]);
  }
}

export function containerField(name: string, template: string): string {
  return docker(['inspect', '--format', template, name]);
}
