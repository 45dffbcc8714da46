import type { Service } from '../models/workspace.js';

/** What one runtime does to start a service; the order and the gating are the core's. */
export interface ServiceStarter {
  /** Why it cannot start at all (missing infra), checked before waiting for anything. */
  precheck?(service: Service): string | undefined;
  /** Starts it once everything it depends on is ready; true once it is ready itself. */
  start(service: Service): Promise<boolean>;
  /** It will not start: `detail` says why and what it waits for. */
  blocked(service: Service, detail: string): void;
  /** A service's current state, to name it in a blocked service's detail. */
  stateOf(name: string): string | undefined;
}

/**
 * Starts `services` (in dependency order, as selectServices returns them) each
 * as soon as every service it depends on is ready: independent services start
 * together, and a dependency that fails blocks its dependents, which say so.
 * The same on every runtime. Resolves when every service settled.
 */
export async function startInDependencyOrder(services: readonly Service[], starter: ServiceStarter): Promise<void> {
  const ready = new Map<string, Promise<boolean>>();
  for (const service of services) {
    const deps = service.dependsOn.filter((dep) => ready.has(dep)).map((dep) => [dep, ready.get(dep)!] as const);
    ready.set(service.name, startWhenDepsReady(service, deps, starter));
  }
  await Promise.all(ready.values());
}

async function startWhenDepsReady(service: Service, deps: ReadonlyArray<readonly [string, Promise<boolean>]>, starter: ServiceStarter): Promise<boolean> {
  const problem = starter.precheck?.(service);
  if (problem) {
    starter.blocked(service, problem);
    return false;
  }
  for (const [dep, isReady] of deps) {
    if (await isReady) continue;
    starter.blocked(service, `waits for "${dep}", which is ${starter.stateOf(dep)}`);
    return false;
  }
  return starter.start(service);
}

/**
 * Stops each service once every service that depends on it has stopped, so a
 * dependency is never gone while a dependent still drains calls to it;
 * services with no dependents between them stop together.
 */
export async function stopInReverseOrder(services: readonly Service[], stop: (service: Service) => Promise<void>): Promise<void> {
  const stopped = new Map<string, Promise<void>>();
  const stopAfterDependents = (service: Service): Promise<void> => {
    let done = stopped.get(service.name);
    if (!done) {
      const dependents = services.filter((other) => other.dependsOn.includes(service.name));
      done = Promise.all(dependents.map(stopAfterDependents)).then(() => stop(service));
      stopped.set(service.name, done);
    }
    return done;
  };
  await Promise.all(services.map(stopAfterDependents));
}
