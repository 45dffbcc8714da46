import { existsSync } from 'node:fs';
import { UserError } from '../errors.js';
import { parseTimeBound } from '../logs/time-window.js';
import { spansDir } from '../state/paths.js';
import { listTraces, type TraceSummary } from '../state/span-store.js';
import { readWorkspace } from '../state/workspace-cache.js';

export interface TracesOptions {
  cwd: string;
  /** Only traces this service wrote a span of. */
  service?: string;
  /** A duration back from now (10m) or a time (RFC3339). */
  since?: string;
  /** Only traces with an error span. */
  errors?: boolean;
  /** Longest first, instead of latest first. */
  slowest?: boolean;
  /** At most this many (default 20). */
  limit?: number;
}

export interface TracesResult {
  traces: TraceSummary[];
  /** False when no span was ever stored in this workspace (nothing sent to msx's collector yet). */
  stored: boolean;
}

/**
 * `msx traces`: the traces msx's collector stored under .msx/spans, summed
 * per trace. Reads files only, so it works for a detached workspace and after
 * `msx down` alike.
 */
export async function recentTraces(options: TracesOptions): Promise<TracesResult> {
  const workspace = await readWorkspace(options.cwd);
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 1)) {
    throw new UserError(`--limit ${options.limit} must be a whole number of traces, 1 or more`);
  }
  const sinceMs = options.since === undefined ? undefined : parseTimeBound(options.since, '--since');
  if (options.service !== undefined && !workspace.services.some((s) => s.name === options.service)) {
    const known = workspace.services.map((s) => s.name).join(', ') || 'none';
    throw new UserError(`unknown service "${options.service}" (known: ${known})`, { hint: 'name a service from msx.yaml; `msx ps` lists them' });
  }
  const traces = await listTraces(workspace.root, {
    service: options.service,
    sinceMs,
    errors: options.errors,
    order: options.slowest ? 'slowest' : 'recent',
    limit: options.limit ?? 20,
  });
  return { traces, stored: traces.length > 0 || existsSync(spansDir(workspace.root)) };
}
