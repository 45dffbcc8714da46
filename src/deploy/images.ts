import { contentTag, type TaggedImage } from '../docker/image-tag.js';
import type { WorkspaceData } from '../models/workspace.js';

export interface ServiceImage extends TaggedImage {
  /** `<registry>/<service>:<hash>`. */
  image: string;
}

/**
 * One image per service, tagged with its content hash: the hash
 * `msx up --runtime docker` tags the same code with. The registry is always
 * named (planDeploy refuses an environment without one).
 */
export function serviceImages(workspace: WorkspaceData, registry: string): ServiceImage[] {
  const prefix = registry.replace(/\/+$/, '');
  return workspace.services.map((service) => {
    const tagged = contentTag(`${prefix}/${service.name}`, { service: service.name, dir: service.dir });
    return { ...tagged, image: tagged.tag };
  });
}
