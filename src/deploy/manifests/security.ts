import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import type { IVolume } from 'kubernetes-models/v1/Volume';

/** The uid the generated Dockerfile runs as (`USER 1000:1000`). */
export const SERVICE_UID = 1000;

/** Restricted Pod Security Standard, at pod level. */
export function podSecurityContext(): IPodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: SERVICE_UID,
    runAsGroup: SERVICE_UID,
    fsGroup: SERVICE_UID,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Repeated on the container: admission policies often check the container's own context. */
export function containerSecurityContext(): NonNullable<IContainer['securityContext']> {
  return {
    runAsNonRoot: true,
    runAsUser: SERVICE_UID,
    runAsGroup: SERVICE_UID,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The root filesystem is read-only; Node and npm libraries still want a writable /tmp. */
export const TMP_VOLUME: IVolume = { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } };
export const TMP_MOUNT = { name: 'tmp', mountPath: '/tmp' };
