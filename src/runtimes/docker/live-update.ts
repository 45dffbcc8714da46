import { posix } from 'node:path';
import type { Service } from '../../models/workspace.js';
import type { ServiceStatus } from '../runtime.js';
import { createContainer, removeOldImages, STOP_GRACE_SECONDS } from './apply-plan.js';
import { restartInContainer, startGated, type ActionContext } from './container-actions.js';
import { devRunnerFor, hasDevRunner, readRunnerState, type SpareUse } from './dev-runner-install.js';
import { forImage, serviceContainerSpec, type ServiceContainerInput } from './container-spec.js';
import { DEV_TARGET } from './labels.js';
import { buildServiceImage } from './service-image.js';
import { isMounted, mountedDirs } from './source-mounts.js';

/** What a live update of the running workspace needs besides the engine: each service's container and how it was made. */
export interface LiveUpdateContext extends ActionContext {
  /** Service name → its container's id (a recreate replaces it). */
  containers: Map<string, string>;
  inputs: Map<string, ServiceContainerInput>;
}

/** The files of one change, relative to the service's folder. */
export interface SyncedFiles {
  /** Written or added: copied into the container. */
  write: string[];
  /** Gone from the folder: removed from the container too. */
  remove: string[];
}

/** How a sync restarted the service: inside its container (the runner's spare: warm, still loading, or none) or the container. */
export type RestartedBy = SpareUse | 'container';

/**
 * A source change: the changed files copied into the running container's
 * working directory (one tar through the engine, as `docker cp` does; they
 * stay in its writable layer across a restart), removed ones deleted (a file in
 * a folder the container reads from the host is neither: `mounted` counts them), then
 * the service restarted and gated on readiness: inside the container by its
 * runner (a warm spare, dev-runner.ts), else (stopped after a crash, an
 * older container without the runner) the container restarted.
 */
export async function syncAndRestart(context: LiveUpdateContext, service: Service, changed: SyncedFiles, reason: string): Promise<{ status: ServiceStatus; by: RestartedBy; mounted: number }> {
  const id = context.containers.get(service.name)!;
  const details = await context.client.inspectContainer(id);
  const dir = details.workingDir;
  // What a source mount shows the container is there already (source-mounts.ts): only the rest is copied.
  const mounts = mountedDirs(details.labels);
  const files = { write: changed.write.filter((path) => !isMounted(mounts, path)), remove: changed.remove.filter((path) => !isMounted(mounts, path)) };
  const mounted = changed.write.length + changed.remove.length - files.write.length - files.remove.length;
  const inside = details.running && hasDevRunner(details.labels);
  // Beside the copy (each an engine call of its own): what the runner's restart waits to see change, and the
  // restart policy off, which a restart inside the container needs first (container-actions.ts, gated).
  const runnerState = inside ? readRunnerState(context.client, id, details.labels) : Promise.resolve(undefined);
  const policyOff = inside ? context.client.setRestartPolicy(id, 'no') : undefined;
  policyOff?.catch(() => undefined); // its failure is the restart's to report, or nobody's
  try {
    if (files.write.length > 0) {
      const { pack } = await import('tar-fs');
      // tar-fs 3 packs with a streamx stream: it pipes like a Node stream, its types differ.
      const tar = pack(service.dir, { entries: files.write }) as unknown as NodeJS.ReadableStream;
      await context.client.putArchive(id, dir, tar);
    }
    // A stopped container cannot run rm; its next image (any later `up`) is built without the file anyway.
    if (files.remove.length > 0 && details.running) await context.client.execInContainer(id, ['rm', '-rf', '--', ...files.remove.map((file) => posix.join(dir, file))]);
  } catch (error) {
    // The container runs on as before: Docker restarts it on a crash again.
    if (policyOff) await policyOff.then(() => context.client.setRestartPolicy(id, 'on-failure')).catch(() => undefined);
    throw error;
  }
  const inPlace = await restartInContainer(context, service, details, reason, runnerState, policyOff);
  if (inPlace) return { status: inPlace.status, by: inPlace.spare, mounted };
  return { status: await startGated(context, service, id, 'restart', reason), by: 'container', mounted };
}

/**
 * A change to what the image is built from (Dockerfile, package.json, the
 * lockfile): the dev image rebuilt (the engine's layer cache keeps every
 * step before the first changed one) and the container recreated from it.
 * A build that fails throws and leaves the running container as it is.
 */
export async function rebuildAndRecreate(context: LiveUpdateContext, service: Service, reason: string, onBuild: () => void): Promise<ServiceStatus> {
  const { client } = context;
  const image = await buildServiceImage(client, context.workspace.name, service, DEV_TARGET, onBuild);
  const input = forImage(context.inputs.get(service.name)!, image.tag, devRunnerFor(await client.imageCommand(image.tag)));
  const spec = serviceContainerSpec(input);
  const old = context.containers.get(service.name);
  if (old) await client.removeContainer(old, STOP_GRACE_SECONDS);
  const id = await createContainer(client, spec);
  context.containers.set(service.name, id);
  context.inputs.set(service.name, input);
  const status = await startGated(context, service, id, 'start', reason);
  if (image.built) await removeOldImages(client, context.workspace.name, service.name, image.tag, DEV_TARGET);
  return status;
}
