import type { IContainer } from 'kubernetes-models/v1/Container';

/**
 * How long a pod keeps serving after Kubernetes decided to stop it. Removing
 * the pod from its Service's endpoints and sending SIGTERM happen at the same
 * time; kube-proxy, ingresses and meshes learn of the removal a few seconds
 * later, so a process that stops accepting at once drops the calls still
 * routed to it. The preStop hook delays SIGTERM by this long.
 */
export const PRESTOP_SECONDS = 5;

/** SHUTDOWN_GRACE_MS when config does not set it (templates/_partials/platform/src/platform/config.ts). */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/** Room after the service's own grace for its forced exit and the kubelet's SIGKILL bookkeeping. */
const MARGIN_SECONDS = 5;

/** Kubernetes' own default; never go below it. */
const MIN_GRACE_SECONDS = 30;

/**
 * `exec: sleep` rather than `lifecycle.preStop.sleep`: the sleep action needs
 * Kubernetes 1.30 (beta, on by default; alpha behind a gate in 1.29), and an
 * older API server refuses the unknown field on server-side apply, while
 * every supported cluster runs an exec hook. The generated image is
 * node:20-slim (Debian), whose coreutils has `sleep`; busybox has it too.
 */
export function preStopLifecycle(): NonNullable<IContainer['lifecycle']> {
  return { preStop: { exec: { command: ['sleep', String(PRESTOP_SECONDS)] } } };
}

/**
 * The pod's terminationGracePeriodSeconds: the kubelet counts the preStop
 * hook inside it, so it must cover the delay, then the service's own
 * shutdown grace (after which the service exits by itself), then a margin.
 */
export function terminationGraceSeconds(config: Record<string, string>, preStop: boolean): number {
  const configured = Number(config.SHUTDOWN_GRACE_MS);
  const graceMs = Number.isInteger(configured) && configured >= 0 ? configured : DEFAULT_SHUTDOWN_GRACE_MS;
  const needed = (preStop ? PRESTOP_SECONDS : 0) + Math.ceil(graceMs / 1000) + MARGIN_SECONDS;
  return Math.max(MIN_GRACE_SECONDS, needed);
}
