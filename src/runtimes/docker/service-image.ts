import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import type { Service } from '../../models/workspace.js';
import { ensureImage } from '../../docker/build-image.js';
import type { DockerClient } from '../../docker/docker-client.js';
import { contentTag } from '../../docker/image-tag.js';
import { imageRepository, LABEL, objectLabels } from './labels.js';

/**
 * A service's image, `msx/<workspace>_<service>:<content hash>`, built only
 * when no image has that hash: the last Dockerfile stage (what msx deploy
 * ships), or `target` (the dev stage `up --watch` runs).
 */
export async function buildServiceImage(client: DockerClient, workspace: string, service: Service, target: string | undefined, onBuild: () => void): Promise<{ tag: string; built: boolean }> {
  const image = contentTag(imageRepository(workspace, service.name), { service: service.name, dir: service.dir, target });
  const labels = { ...objectLabels(workspace, service.name, image.hash), ...(target ? { [LABEL.target]: target } : {}) };
  const built = await ensureImage(client, image, { labels, onBuild });
  return { tag: image.tag, built };
}

/** A service generated before msx had `up --watch` on Docker has no dev stage: one line saying what to add, before anything is made. */
export function assertStage(service: Service, target: string): void {
  let dockerfile = '';
  try {
    dockerfile = readFileSync(join(service.dir, 'Dockerfile'), 'utf8');
  } catch {
    return; // ensureImage says there is no Dockerfile
  }
  if (new RegExp(`^\\s*FROM\\s+\\S+\\s+AS\\s+${target}\\s*$`, 'im').test(dockerfile)) return;
  throw new UserError(`the Dockerfile of "${service.name}" has no "${target}" stage, which msx up --runtime docker --watch runs`, {
    hint: `add one that runs the sources (FROM deps AS ${target} … CMD ["node", "--import", "tsx", "src/main.ts"], as \`msx new service\` writes it), or use --runtime local`,
    exit: 'usage',
  });
}
