/**
 * Name rules. Service and context names become hostnames, image names, env var
 * prefixes and Kubernetes object names, so they follow the strictest of those:
 * an RFC 1035 label (what a Kubernetes Service name must be).
 */

export const INFRA_NAMES = ['rabbitmq', 'postgres', 'redis'] as const;
export type InfraName = (typeof INFRA_NAMES)[number];

/** Where services run; the first two run on this machine (`msx up`, `ps`, `down`). */
export const RUNTIME_NAMES = ['local', 'docker', 'kubernetes'] as const;
export type RuntimeName = (typeof RUNTIME_NAMES)[number];
export const MACHINE_RUNTIMES = ['local', 'docker'] as const satisfies readonly RuntimeName[];

const RESERVED = new Set<string>([
  ...INFRA_NAMES,
  'msx', 'postgresql', 'amqp', 'kubernetes', 'default', 'localhost', 'host', 'gateway',
  'contexts', 'contracts', 'node-modules', 'test', 'tests', 'shared', 'common',
]);

const LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const EVENT = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;
const ENV_KEY = /^[A-Z_][A-Z0-9_]*$/;

/** Returns the rule a service or context name breaks, or undefined when it is valid. */
export function nameProblem(name: string, what = 'name'): string | undefined {
  if (name.length === 0) return `${what} is empty`;
  if (name.includes('/') || name.includes('\\') || name.includes('..')) {
    return `${what} "${name}" is a path; use a plain name like "orders"`;
  }
  if (name.length > 63) return `${what} "${name}" is longer than 63 characters (DNS label limit)`;
  if (/[A-Z]/.test(name)) return `${what} "${name}" has upper case; use lower case (it becomes a hostname)`;
  if (!LABEL.test(name)) {
    return `${what} "${name}" must be a DNS label: lower-case letters, digits and "-", starting with a letter and not ending with "-"`;
  }
  if (RESERVED.has(name)) return `${what} "${name}" is reserved; choose another`;
  return undefined;
}

export function eventNameProblem(name: string): string | undefined {
  return EVENT.test(name) ? undefined : `event "${name}" must look like "order.placed" (lower-case words joined by dots)`;
}

export function envKeyProblem(key: string): string | undefined {
  return ENV_KEY.test(key) ? undefined : `"${key}" must be an env var name like "PAYMENT_TIMEOUT_MS"`;
}

/** `stock-level` → `STOCK_LEVEL`: the prefix of a service's env wiring. */
export function envPrefix(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

export function isInfraName(name: string): name is InfraName {
  return (INFRA_NAMES as readonly string[]).includes(name);
}
