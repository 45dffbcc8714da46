import type { UserError } from '../errors.js';
import type { LogEntry } from './log-entry.js';

export interface LogReadOptions {
  /**
   * Text every wanted line contains (a trace id). A source may skip lines
   * without it unparsed; it still hands over the stack trace of a line it keeps.
   */
  needle?: string;
}

export interface LogFollowOptions extends LogReadOptions {
  /** Only these services; all when absent, including services whose logs appear later. */
  services?: string[];
  /** Following ends when this aborts (Ctrl-C). */
  signal: AbortSignal;
}

/**
 * Where `msx logs` reads service logs from: one implementation per runtime
 * (local NDJSON files, which the docker runtime writes too; Kubernetes pod
 * logs through the API). Every source yields parsed entries in batches, in
 * the order each service wrote them, with stack traces already attached to
 * their line. Merging, filtering and rendering are not the source's business.
 */
export interface LogSource {
  /** Services that have logs in this source, sorted by name. */
  services(): Promise<string[]>;
  /** One service's entries as they are now, oldest first. Stops at what was there when reading began. */
  read(service: string, options?: LogReadOptions): AsyncIterable<LogEntry[]>;
  /**
   * Entries written from now on, each batch in time order, until the signal
   * aborts. Goes on from where `read` stopped for each service, so nothing is
   * shown twice or skipped. Absent when the runtime cannot follow.
   */
  follow?(options: LogFollowOptions): AsyncIterable<LogEntry[]>;
  /**
   * The not-found error for services with no logs here (all when empty), for
   * a source where that is a definite answer (no pods in the namespace).
   * Absent where it only means "not started yet" (local files).
   */
  missingLogs?(services: string[]): UserError;
}
