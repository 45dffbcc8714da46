import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExternalError, UserError } from '../errors.js';
import type { DockerClient, ProgressOutput } from './docker-client.js';
import { legacyStep } from './dockerfile-steps.js';
import type { TaggedImage } from './image-tag.js';

export interface BuildOptions {
  /** Labels the image carries (the docker runtime finds its own images by them). */
  labels?: Record<string, string>;
  /** Called just before a build starts, i.e. only when no image has this tag yet. */
  onBuild?: () => void;
}

/**
 * Builds the image unless the engine has one with this tag: tags are content
 * hashes, so a present image is this exact code. True when it built.
 */
export async function ensureImage(client: DockerClient, image: TaggedImage, options: BuildOptions = {}): Promise<boolean> {
  if (!existsSync(join(image.dir, 'Dockerfile'))) {
    throw new UserError(`service "${image.service}" has no Dockerfile in ${image.dir}`, {
      hint: 'add one (`msx new service` makes one)',
      exit: 'notFound',
    });
  }
  if (await client.imageExists(image.tag)) return false;
  options.onBuild?.();
  const { pack } = await import('tar-fs');
  // tar-fs 3 packs with a streamx stream: it pipes like a Node stream, its types differ.
  const context = pack(image.dir, { entries: image.files }) as unknown as NodeJS.ReadableStream;
  const output = await client.buildImage({ tag: image.tag, labels: options.labels ?? {}, context, target: image.target }).catch((error: unknown) => refused(error));
  if (output.error) throw await buildFailure(image, output);
  return true;
}

/**
 * The step that failed and the last lines it printed: what a developer needs
 * to fix the Dockerfile or the code. Both builders' failures read the same:
 * the legacy builder's `Step N/M : …` line, or BuildKit's failed step mapped
 * back to that numbering through the Dockerfile.
 */
export async function buildFailure(image: Pick<TaggedImage, 'service' | 'dir'>, output: ProgressOutput): Promise<ExternalError> {
  const failure = (where: string, tail: string) => new ExternalError(`building the image of "${image.service}" failed${where}`, `docker build ${image.dir}`, tail);
  if (output.failedStep) {
    const { name, output: printed } = output.failedStep;
    const step = await legacyStep(readDockerfile(image.dir), name).catch(() => undefined);
    const where = step ? ` at step ${step.number}/${step.total}: ${step.text}` : ` at ${name.replace(/^\[(?:.*? )?(\d+\/\d+)\] /, 'step $1: ')}`;
    return failure(where, [...printed, output.error ?? ''].join('\n').trimEnd());
  }
  const step = [...output.lines].reverse().find((line) => /^Step \d+\/\d+ : /.test(line));
  return failure(step ? ` at ${step.replace(/^Step (\d+\/\d+) : /, 'step $1: ')}` : '', outputTail(output));
}

function readDockerfile(dir: string): string {
  try {
    return readFileSync(join(dir, 'Dockerfile'), 'utf8');
  } catch {
    return '';
  }
}

/** The engine refusing the request itself (bad parameters, unknown image) is the same failure as one in its stream. */
export function refused(error: unknown): ProgressOutput {
  return { lines: [], error: (error as Error).message?.trim() || String(error) };
}

/** What the failing step printed (its first lines name the cause), and the engine's error. */
export function outputTail(output: ProgressOutput): string {
  const steps = output.lines.map((line, i) => (/^Step \d+\/\d+ : /.test(line) ? i : -1));
  return [...output.lines.slice(Math.max(...steps) + 1), output.error ?? ''].join('\n').trimEnd();
}
