import type { LogEntry } from './log-entry.js';
import { isContinuation } from './parse-line.js';

/**
 * Keeps a stack trace with the line it belongs to: a plain (non-JSON) line
 * that looks like a continuation and comes right after a line of the same
 * stream is added to that line's `stack` instead of standing alone. Each
 * service's lines go through their own attacher, in the order written.
 *
 * The last entry is held back until the next line shows whether a stack
 * follows it; `flush` releases it at the end of what is there to read.
 */
export class StackAttacher {
  private held: LogEntry | undefined;

  /** Adds `entry`; entries that are complete are pushed onto `out`. */
  push(entry: LogEntry, out: LogEntry[]): void {
    const held = this.held;
    if (held && !entry.fields && entry.stream === held.stream && isContinuation(entry.text)) {
      (held.stack ??= []).push(entry.text);
      return;
    }
    if (held) out.push(held);
    this.held = entry;
  }

  flush(out: LogEntry[]): void {
    if (this.held) out.push(this.held);
    this.held = undefined;
  }
}
