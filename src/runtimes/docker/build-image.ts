import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ExternalError, UserError } from '../../errors.js';
import type { Service } from '../../models/workspace.js';
import { contextFiles, contextHash } from './build-context.js';
import type { BuildOutput, DockerClient } from './docker-client.js';
import { imageRepository, objectLabels } from './labels.js';

export interface ServiceImage {
  service: string;
  tag: string;
  hash: string;
  /** False when an image with this hash was there already. */
  built: boolean;
}

/** What a build depends on besides the context's files; a change here rebuilds too. */
const BUILD_CONFIG = { dockerfile: 'Dockerfile', builder: 'legacy' };

/** The image tag a service's context hashes to now: `msx/<workspace>_<service>:<hash>`. */
export function imageFor(workspace: string, service: Service): { tag: string; hash: string; files: string[] } {
  if (!existsSync(join(service.dir, 'Dockerfile'))) {
    throw new UserError(`service "${service.name}" has no Dockerfile in ${service.dir}`, {
      hint: 'add one (`msx new service` makes one), or run it with --runtime local',
      exit: 'notFound',
    });
  }
  const files = contextFiles(service.dir);
  const hash = contextHash(service.dir, files, BUILD_CONFIG);
  return { tag: `${imageRepository(workspace, service.name)}:${hash}`, hash, files };
}

/** Builds the service's image unless one with the same context hash exists. */
export async function ensureImage(client: DockerClient, workspace: string, service: Service, onBuild: () => void): Promise<ServiceImage> {
  const { tag, hash, files } = imageFor(workspace, service);
  if (await client.imageExists(tag)) return { service: service.name, tag, hash, built: false };
  onBuild();
  const { pack } = await import('tar-fs');
  const context = pack(service.dir, { entries: files }) as unknown as NodeJS.ReadableStream;
  const output = await client.buildImage({ tag, labels: objectLabels(workspace, service.name, hash), context });
  if (output.error) throw buildFailure(service, output);
  return { service: service.name, tag, hash, built: true };
}

/** The step that failed and the last lines it printed: what a developer needs to fix the Dockerfile or the code. */
export function buildFailure(service: Service, output: BuildOutput): ExternalError {
  const step = [...output.lines].reverse().find((line) => /^Step \d+\/\d+ : /.test(line));
  const tail = [...output.lines.filter((line) => line.trim() !== '').slice(-20), output.error ?? ''].join('\n').trimEnd();
  const where = step ? ` at ${step.replace(/^Step (\d+\/\d+) : /, 'step $1: ')}` : '';
  return new ExternalError(`building the image of "${service.name}" failed${where}`, `docker build ${service.dir}`, tail);
}
