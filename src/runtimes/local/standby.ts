import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Service } from '../../models/workspace.js';
import { killLeftovers, launchService, signalGroup } from './service-process.js';

/** Spares kept at once: the services being edited, not the whole workspace (each holds its dependencies in memory). */
export const MAX_SPARES = 3;
/**
 * Loaded before the service's own code or not at all: a spare that loaded the packages they patch first would hide
 * them. The OpenTelemetry API, SDK and exporters the templates use patch nothing (spans are passed by hand), so they do not count.
 */
const LOAD_FIRST = /^@opentelemetry\/(auto-instrumentations|sdk-node)|instrumentation|dd-trace|newrelic|elastic-apm|@sentry\//;

interface Spare {
  child: ChildProcess;
  envKey: string;
}

/**
 * Warm spares for `msx up --watch` (standby-entry.ts): after a watch restart of
 * a service, a second process of it starts with the same env, loads tsx and its
 * dependencies and waits. The next restart stops the old process and hands the
 * spare its go line, so the edit costs the service's own startup, not node's,
 * tsx's and the libraries'. A spare with another env (an msx.yaml change) or
 * after a reinstall is dropped, never used.
 */
export class StandbyPool {
  private readonly spares = new Map<string, Spare>();
  private closed = false;

  /** Starts a spare of `service` unless one with this env waits already; false when the service cannot have one. */
  async prepare(service: Service, env: Record<string, string>): Promise<boolean> {
    const envKey = JSON.stringify(env);
    if (this.spares.get(service.name)?.envKey === envKey) return true;
    this.drop(service.name);
    if (this.closed || !eligible(service)) return false;
    let child: ChildProcess;
    try {
      ({ child } = await launchService(service, env, true));
    } catch {
      return false;
    }
    // The pool closed (msx down) while this one was starting: it must not outlive the workspace.
    if (this.closed) {
      await stopSpare(child);
      return false;
    }
    child.once('exit', () => this.spares.get(service.name)?.child === child && this.spares.delete(service.name));
    this.spares.set(service.name, { child, envKey });
    // The oldest spare goes first: a Map keeps insertion order.
    while (this.spares.size > MAX_SPARES) this.drop(this.spares.keys().next().value!);
    return true;
  }

  /** The waiting spare of `name` when it was started with `env`, told to go; otherwise undefined (and any spare dropped). */
  take(name: string, env: Record<string, string>): ChildProcess | undefined {
    const spare = this.spares.get(name);
    if (!spare) return undefined;
    this.spares.delete(name);
    const alive = spare.child.exitCode === null && spare.child.signalCode === null;
    if (!alive || spare.envKey !== JSON.stringify(env)) {
      void stopSpare(spare.child);
      return undefined;
    }
    spare.child.stdin!.write('go\n');
    return spare.child;
  }

  drop(name: string): void {
    const spare = this.spares.get(name);
    if (!spare) return;
    this.spares.delete(name);
    void stopSpare(spare.child);
  }

  async close(): Promise<void> {
    this.closed = true;
    const children = [...this.spares.values()].map((s) => s.child);
    this.spares.clear();
    await Promise.all(children.map(stopSpare));
  }
}

function eligible(service: Service): boolean {
  const manifest = join(service.dir, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    const deps = Object.keys((JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});
    return !deps.some((name) => LOAD_FIRST.test(name));
  } catch {
    return false;
  }
}

/** A spare has no drain to wait for (nothing of the service runs yet): the group goes at once. */
async function stopSpare(child: ChildProcess): Promise<void> {
  if (!child.pid) return;
  signalGroup(child.pid, 'SIGKILL');
  await killLeftovers(child.pid);
}
