import { renderTraces, tracesJson } from '../output/render-traces.js';
import { recentTraces } from '../services/traces.js';

/** `msx traces` flags once parsed, by oclif (commands/traces.ts) or by the fast path (fast-path.ts). */
export interface TracesFlags {
  slowest?: boolean;
  errors?: boolean;
  service?: string;
  since?: string;
  limit?: number;
}

export interface TracesIo {
  /** --json: the traces are returned as data (the caller prints them). */
  json: boolean;
  /** Prints one block of text and a newline. */
  log(text: string): void;
}

/** The body of `msx traces`: the table printed (or why there is none), and the traces as data for --json. */
export async function runTraces(flags: TracesFlags, io: TracesIo): Promise<{ traces: ReturnType<typeof tracesJson> }> {
  const { traces, stored } = await recentTraces({ cwd: process.cwd(), service: flags.service, since: flags.since, errors: flags.errors, slowest: flags.slowest, limit: flags.limit ?? 20 });
  if (!io.json) {
    if (traces.length > 0) io.log(renderTraces(traces));
    else process.stderr.write(stored ? 'msx: no traces match\n' : "msx: no traces yet: start services with `msx up` and send them a request (spans go to msx's collector)\n");
  }
  return { traces: tracesJson(traces) };
}
