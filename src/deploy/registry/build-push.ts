import { ensureImage } from '../../docker/build-image.js';
import { connectDocker } from '../../docker/connect-docker.js';
import type { DockerClient } from '../../docker/docker-client.js';
import { pushImage } from '../../docker/push-image.js';
import type { TaggedImage } from '../../docker/image-tag.js';

export type ImageEvent = (service: string, message: string) => void;

/** How deploy reaches the engine; tests pass a fake. */
export type ConnectDocker = () => Promise<DockerClient>;

const connectForDeploy: ConnectDocker = () => connectDocker({ otherwise: 'pass --no-build to deploy images already in the registry' });

/**
 * Builds each image the engine does not have yet and pushes every one to its
 * registry. Tags are content hashes, so a present image is this exact code and
 * is not rebuilt; pushing it again only sends the layers the registry lacks.
 * Without a registry (`push: false`) images stay in the local engine.
 */
export async function buildAndPushImages(
  images: readonly TaggedImage[],
  options: { push: boolean },
  note: ImageEvent,
  connect: ConnectDocker = connectForDeploy,
): Promise<void> {
  if (images.length === 0) return;
  const client = await connect();
  for (const image of images) {
    const built = await ensureImage(client, image, { onBuild: () => note(image.service, `building ${image.tag}`) });
    if (!built) note(image.service, `image ${image.tag} already built`);
    if (options.push) {
      note(image.service, `pushing ${image.tag}`);
      await pushImage(client, image);
    }
  }
}
