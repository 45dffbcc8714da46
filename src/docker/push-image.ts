import { ExternalError } from '../errors.js';
import { refused } from './build-image.js';
import { registryAuth, registryHost } from './docker-credentials.js';
import type { DockerClient } from './docker-client.js';
import type { TaggedImage } from './image-tag.js';

/**
 * Pushes a built image to the registry its tag names, with the credentials
 * `docker push` would use (the user's Docker config). Pushing an image the
 * registry has already only sends the layers it lacks.
 */
export async function pushImage(client: DockerClient, image: Pick<TaggedImage, 'service' | 'tag'>): Promise<void> {
  const host = registryHost(image.tag);
  const auth = await registryAuth(host);
  const output = await client.pushImage(image.tag, auth).catch((error: unknown) => refused(error));
  if (output.error) {
    throw new ExternalError(`pushing the image of "${image.service}" to ${host} failed: ${output.error}`, `docker push ${image.tag}`, output.lines.slice(-10).join('\n'));
  }
}
