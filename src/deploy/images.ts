import type { WorkspaceData } from '../models/workspace.js';
import { contentTag } from './image-tag.js';

export interface ServiceImage {
  service: string;
  dir: string;
  /** `<registry>/<service>:<tag>`, or `<workspace>/<service>:<tag>` when the environment has no registry. */
  image: string;
}

/**
 * One image per service, tagged with its content hash. Without a registry the
 * image is only built locally (for kind or k3d, which load local images).
 */
export async function serviceImages(workspace: WorkspaceData, registry: string | undefined): Promise<ServiceImage[]> {
  const prefix = registry ? registry.replace(/\/+$/, '') : workspace.name;
  return Promise.all(
    workspace.services.map(async (service) => ({
      service: service.name,
      dir: service.dir,
      image: `${prefix}/${service.name}:${await contentTag(service.dir)}`,
    })),
  );
}
