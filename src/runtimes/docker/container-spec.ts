import type { ContainerCreateOptions } from 'dockerode';
import type { Service } from '../../models/workspace.js';
import { RUNNER_MOUNT, type DevRunner } from './dev-runner-install.js';
import { configHash, containerName, LABEL, objectLabels, type ContainerRole } from './labels.js';
import { resourceLimits } from './resources.js';
import { sourceBinds, sourceDirsFor } from './source-mounts.js';

/** A container as msx.yaml wants it: its create options, and their hash (also in its labels). */
export interface ContainerSpec {
  name: string;
  service: string;
  role: ContainerRole;
  hash: string;
  options: ContainerCreateOptions;
}

export interface ServiceContainerInput {
  workspace: string;
  service: Service;
  image: string;
  env: Record<string, string>;
  network: string;
  /** `host.docker.internal:<ip>`: how a container reaches infra on the host. */
  extraHosts: string[];
  /** Under --watch: msx's runner as the main process (dev-runner-install.ts), when the dev image's command allows it. */
  devRunner?: DevRunner;
  /**
   * With the runner, on a local Linux engine: the host folder bind-mounted at /opt/msx, where the runner's file
   * and its state are, so msx reads the state as a file (through the engine, each read costs an archive call).
   */
  runnerDir?: string;
  /** With the runner's folder: the source folders bind-mounted read-only over the image's copy (source-mounts.ts). */
  sourceDirs?: string[];
}

/** The same service on another image: its runner, and the source folders that runner's container may read from the host, anew. */
export function forImage(input: ServiceContainerInput, image: string, devRunner: DevRunner | undefined): ServiceContainerInput {
  return { ...input, image, devRunner, sourceDirs: sourceDirsFor(input.service, input.runnerDir, devRunner) };
}

/**
 * A service container: on the workspace network under its own name (so
 * `http://orders:3000` resolves), its port published on 127.0.0.1 only,
 * restarted by Docker when it exits with an error, within its resource limits.
 */
export function serviceContainerSpec(input: ServiceContainerInput): ContainerSpec {
  const { service, network } = input;
  const port = `${service.port}/tcp`;
  const options: ContainerCreateOptions = {
    name: containerName(input.workspace, service.name),
    Image: input.image,
    Env: Object.entries(input.env).map(([key, value]) => `${key}=${value}`).sort(),
    ExposedPorts: { [port]: {} },
    StopTimeout: 10,
    HostConfig: {
      NetworkMode: network,
      PortBindings: { [port]: [{ HostIp: '127.0.0.1', HostPort: String(service.port) }] },
      // No retry limit: Docker backs off (doubling, up to a minute) as the local runtime does.
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 0 },
      ExtraHosts: input.extraHosts,
      ...resourceLimits(service),
    },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [service.name] } } },
  };
  // In the hash: a container made without the runner, or with another version of it, is recreated. StopSignal said
  // outright: without one, the engine takes any signal sent through its kill endpoint (the runner's restart signal)
  // as the container's end and cancels its restart policy for the run.
  if (input.devRunner) Object.assign(options, { Cmd: input.devRunner.command, StopSignal: 'SIGTERM', Labels: { [LABEL.devRunner]: input.devRunner.version } });
  if (input.devRunner && input.runnerDir) {
    options.Labels![LABEL.runnerDir] = input.runnerDir;
    options.Env!.push(`MSX_DEV_RUNNER_STATE=${RUNNER_MOUNT}/state.json`);
    options.Env!.sort();
    // z: on an SELinux host the container may write into it (ignored elsewhere).
    options.HostConfig!.Binds = [`${input.runnerDir}:${RUNNER_MOUNT}:z`];
    if (input.sourceDirs && input.sourceDirs.length > 0) {
      options.Labels![LABEL.sourceMounts] = input.sourceDirs.join(',');
      options.HostConfig!.Binds.push(...sourceBinds(service, input.devRunner, input.sourceDirs));
    }
  }
  return withHash(input.workspace, service.name, 'service', options);
}

/** Labels the options with the hash of everything else in them: a changed option means a new container. */
export function withHash(workspace: string, service: string, role: ContainerRole, options: ContainerCreateOptions): ContainerSpec {
  const hash = configHash({ ...options, Labels: options.Labels ?? {} });
  options.Labels = { ...options.Labels, ...objectLabels(workspace, service, hash, role) };
  return { name: options.name!, service, role, hash, options };
}

/** A spec's env as a record (the API wants `KEY=value` strings). */
export function envOf(spec: ContainerSpec): Record<string, string> {
  return Object.fromEntries((spec.options.Env ?? []).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}
