import { contentTag, type TaggedImage } from '../docker/image-tag.js';
import type { WorkspaceData } from '../models/workspace.js';

export interface ServiceImage extends TaggedImage {
  /** `<registry>/<service>:<hash>`, or `<workspace>/<service>:<hash>` when the environment has no registry. */
  image: string;
}

/**
 * One image per service, tagged with its content hash: the hash
 * `msx up --runtime docker` tags the same code with. Without a registry the
 * image is only built locally (for kind or k3d, which load local images).
 */
export function serviceImages(workspace: WorkspaceData, registry: string | undefined): ServiceImage[] {
  const prefix = registry ? registry.replace(/\/+$/, '') : workspace.name;
  return workspace.services.map((service) => {
    const tagged = contentTag(`${prefix}/${service.name}`, { service: service.name, dir: service.dir });
    return { ...tagged, image: tagged.tag };
  });
}
