import type Docker from 'dockerode';
import { ExternalError, UserError } from '../../errors.js';
import { deployContextFiles } from '../image-tag.js';
import { registryAuth, registryHost } from './docker-credentials.js';

export interface ImageBuild {
  service: string;
  /** The service folder: the build context, with its Dockerfile. */
  dir: string;
  /** `<registry>/<service>:<tag>` */
  image: string;
}

export type ImageEvent = (service: string, message: string) => void;

/**
 * Builds each image the engine does not have yet and pushes every one to its
 * registry. Tags are content hashes, so a present image is this exact code and
 * is not rebuilt; pushing it again only sends the layers the registry lacks.
 * Without a registry (`push: false`) images stay in the local engine.
 */
export async function buildAndPushImages(builds: readonly ImageBuild[], options: { push: boolean }, note: ImageEvent): Promise<void> {
  if (builds.length === 0) return;
  const docker = await connectDocker();
  for (const build of builds) {
    if (await hasImage(docker, build.image)) note(build.service, `image ${build.image} already built`);
    else await buildImage(docker, build, note);
    if (options.push) await pushImage(docker, build, note);
  }
}

async function connectDocker(): Promise<Docker> {
  const { default: Dockerode } = await import('dockerode');
  const docker = new Dockerode();
  try {
    await docker.ping();
  } catch (error) {
    throw new UserError(`the Docker engine is not reachable (${(error as Error).message}); images cannot be built`, {
      hint: 'start Docker (or set DOCKER_HOST), or pass --no-build to deploy images already in the registry',
      exit: 'runtimeUnavailable',
    });
  }
  return docker;
}

async function hasImage(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch {
    return false;
  }
}

async function buildImage(docker: Docker, build: ImageBuild, note: ImageEvent): Promise<void> {
  note(build.service, `building ${build.image}`);
  const { pack } = await import('tar-fs');
  const context = pack(build.dir, { entries: deployContextFiles(build.dir) });
  const what = `docker build failed for ${build.service}`;
  const command = `docker build -t ${build.image} ${build.dir}`;
  // tar-fs 3 packs with a streamx stream: it pipes like a Node stream, its types differ.
  const stream = await engineCall(what, command, () => docker.buildImage(context as unknown as NodeJS.ReadableStream, { t: build.image }));
  await followToEnd(docker, stream, what, command);
}

async function pushImage(docker: Docker, build: ImageBuild, note: ImageEvent): Promise<void> {
  note(build.service, `pushing ${build.image}`);
  // Engines before API 1.42 refuse a push without the X-Registry-Auth header;
  // the docker CLI sends an empty one for anonymous pushes, and so does msx.
  const authconfig = (await registryAuth(registryHost(build.image))) ?? {};
  const what = `docker push failed for ${build.service}`;
  const command = `docker push ${build.image}`;
  const stream = await engineCall(what, command, () => docker.getImage(build.image).push({ authconfig }));
  await followToEnd(docker, stream, what, command);
}

/** The engine refusing the request itself (bad parameters, unknown image) is the same failure as one in its stream. */
async function engineCall<T>(what: string, command: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new ExternalError(`${what}: ${(error as Error).message.trim()}`, command);
  }
}

/**
 * The engine reports build and push failures inside a 200 response, as a
 * progress message with `error`: a stream that ends is not a success by itself.
 */
function followToEnd(docker: Docker, stream: NodeJS.ReadableStream, what: string, command: string): Promise<void> {
  const tail: string[] = [];
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error, output: Array<{ error?: string; errorDetail?: { message?: string } }>) => {
        const failed = error?.message ?? output.find((o) => o.error)?.errorDetail?.message ?? output.find((o) => o.error)?.error;
        if (failed) reject(new ExternalError(`${what}: ${failed}`, command, tail.slice(-10).join('\n')));
        else resolve();
      },
      (event: { stream?: string; status?: string }) => {
        const line = (event.stream ?? event.status ?? '').trim();
        if (line) tail.push(line);
      },
    );
  });
}
