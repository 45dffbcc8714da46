import type { IProbe } from 'kubernetes-models/v1/Probe';
import { UserError } from '../../errors.js';
import type { Service } from '../../models/workspace.js';

export type ProbeName = 'liveness' | 'readiness' | 'startup';
type Timing = Pick<IProbe, 'initialDelaySeconds' | 'periodSeconds' | 'timeoutSeconds' | 'failureThreshold'>;

/** The paths every generated HTTP service serves (templates/_partials/platform health). */
export const HTTP_PROBE_PATHS: Record<ProbeName, string> = {
  liveness: '/health/live',
  readiness: '/health/ready',
  startup: '/health/startup',
};

/**
 * The startup probe allows 60 s (30 × 2 s) before liveness takes over, so a
 * slow first start is not killed; readiness is checked more often than
 * liveness so traffic stops well before a restart would.
 */
const TIMING: Record<ProbeName, Timing> = {
  liveness: { periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
  readiness: { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
  startup: { periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 30 },
};

/**
 * The grpc.health.v1 service name each probe asks for. "" is the server's
 * overall health: NOT_SERVING while any readiness check fails (a broker
 * blip), so it may only stop traffic. Liveness and startup ask for
 * "liveness", which the generated server answers SERVING for as long as the
 * process runs (from the moment it listens, through a shutdown's drain),
 * whatever its dependencies: a restart cannot fix a dependency, and a pod
 * started while one is down must not be killed when the startup probe gives up.
 * This matches HTTP, where /health/live and /health/startup check no dependency.
 */
export const GRPC_HEALTH_SERVICE: Record<ProbeName, string> = {
  liveness: 'liveness',
  readiness: '',
  startup: 'liveness',
};

export interface ContainerProbes {
  livenessProbe: IProbe;
  readinessProbe: IProbe;
  startupProbe: IProbe;
}

/** Liveness, readiness and startup probes from the service's kind, with msx.yaml `probes` on top. */
export function probesFor(service: Service): ContainerProbes {
  return {
    livenessProbe: probe(service, 'liveness'),
    readinessProbe: probe(service, 'readiness'),
    startupProbe: probe(service, 'startup'),
  };
}

function probe(service: Service, name: ProbeName): IProbe {
  const { path, ...timing } = service.probes?.[name] ?? {};
  return { ...handler(service, name, path), ...TIMING[name], ...timing };
}

function handler(service: Service, name: ProbeName, path: string | undefined): Pick<IProbe, 'httpGet' | 'grpc'> {
  switch (service.kind) {
    case 'rest':
    case 'consumer':
    case 'gateway':
      return { httpGet: { path: path ?? HTTP_PROBE_PATHS[name], port: 'http' } };
    case 'grpc':
      if (path) {
        throw new UserError(`services.${service.name}.probes.${name}.path: a gRPC service is probed with grpc.health.v1, not a path`, {
          hint: `remove probes.${name}.path from ${service.name} in msx.yaml`,
        });
      }
      // Kubernetes' native gRPC probe (grpc.health.v1 Check).
      return { grpc: { port: service.port, service: GRPC_HEALTH_SERVICE[name] } };
  }
}
