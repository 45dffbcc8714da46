import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { UserError } from '../errors.js';
import type { KubeClient } from './kube-client.js';

export interface ConnectOptions {
  /** --context, else the environment's kubeContext, else the kubeconfig's current-context. */
  context?: string;
  /** How the command switches to another kube context, for hints; deploy's --context when absent. */
  otherContext?: string;
}

/** The kubeconfig files kubectl would read: $KUBECONFIG (a path list), else ~/.kube/config. */
export function kubeconfigFiles(env = process.env): string[] {
  if (env.KUBECONFIG) return env.KUBECONFIG.split(delimiter).filter(Boolean);
  return [join(homedir(), '.kube', 'config')];
}

/**
 * A client for the chosen kube context. client-node is imported here, on the
 * apply path only (~670 ms). A missing kubeconfig or context is a one-line
 * error naming what exists, not client-node's fallback to localhost:8080.
 */
export async function connectKube(options: ConnectOptions): Promise<KubeClient> {
  const files = kubeconfigFiles().filter((file) => existsSync(file));
  if (files.length === 0) {
    throw new UserError(`no kubeconfig found (${kubeconfigFiles().join(', ')})`, {
      hint: 'set KUBECONFIG or create ~/.kube/config (kind, k3d and cloud CLIs write one)', exit: 'runtimeUnavailable' });
  }
  const k8s = await import('@kubernetes/client-node');
  const config = new k8s.KubeConfig();
  try {
    config.loadFromDefault();
  } catch (error) {
    throw new UserError(`cannot read the kubeconfig (${files.join(', ')}): ${(error as Error).message.split('\n')[0]}`, { exit: 'usage' });
  }
  const context = options.context ?? config.getCurrentContext();
  const known = config.getContexts().map((c) => c.name);
  if (!context || !known.includes(context)) throw missingContext(context, known, options.otherContext);
  config.setCurrentContext(context);
  const server = config.getCurrentCluster()?.server ?? '(no server)';
  const { ClientNodeKube } = await import('./client-node-kube.js');
  return new ClientNodeKube(k8s, config, context, server, options.otherContext);
}

function missingContext(context: string | undefined, known: string[], otherContext?: string): UserError {
  const has = known.length > 0 ? `it has: ${known.join(', ')}` : 'it has none';
  const what = context ? `kube context "${context}" is not in the kubeconfig` : 'the kubeconfig has no current-context';
  const hint = otherContext ?? 'pass --context NAME, or set kubeContext for this environment in msx.yaml';
  return new UserError(`${what} (${has})`, { hint, exit: 'notFound' });
}
