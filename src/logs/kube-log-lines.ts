import { parseRfc3339, type Rfc3339Stamp } from '../models/time.js';
import type { LogEntry } from './log-entry.js';
import { parseServiceLine } from './parse-line.js';
import { StackAttacher } from './stack-trace.js';

/** A point in a container's log: the last timestamp read, and how many lines carried it (several may share one). */
export interface LogCursor extends Rfc3339Stamp {
  same: number;
}

function compare(a: Rfc3339Stamp, b: Rfc3339Stamp): number {
  return a.secondMs - b.secondMs || a.nanos - b.nanos;
}

/** `sinceTime` for a follow request going on from `cursor`: whole seconds (the lines before the cursor are skipped here). */
export function sinceTimeOf(cursor: LogCursor): string {
  return new Date(cursor.secondMs).toISOString().replace(/\.\d+Z$/, 'Z');
}

export interface ContainerLinesOptions {
  service: string;
  /** Only lines holding it, and the plain lines right after such a line (its stack trace). */
  needle?: string;
  /** Updated with every line read, so a follow request can go on from there. */
  cursor?: { at?: LogCursor };
  /** Lines at or before this point were read already: skipped (a follow request resent from a whole second). */
  after?: LogCursor;
}

/**
 * Turns the lines of one run of one container, as the API gives them with
 * timestamps=true (`<RFC3339Nano> <the service's line>`), into entries: JSON
 * lines keep their fields and own time, anything else is a plain message at
 * the API's time. The API does not say which stream a line came from, so
 * every line counts as stdout.
 */
export class ContainerLines {
  private readonly attacher = new StackAttacher();
  /** True while the lines read are a kept line's stack trace (with a needle). */
  private inRun = false;
  private lastTime = 0;
  private skipped = 0;

  constructor(private readonly options: ContainerLinesOptions) {}

  /** The entries complete after these lines; with `flush`, the last one too (nothing more is coming for now). */
  take(lines: string[], flush = false): LogEntry[] {
    const out: LogEntry[] = [];
    for (const raw of lines) {
      const space = raw.indexOf(' ');
      const stamp = space > 0 ? parseRfc3339(raw.slice(0, space)) : undefined;
      if (stamp && this.seenAlready(stamp)) continue;
      if (stamp) this.advance(stamp);
      const text = stamp ? raw.slice(space + 1) : raw;
      if (text === '' || !this.wanted(text)) continue;
      const time = stamp ? stamp.secondMs + Math.floor(stamp.nanos / 1e6) : this.lastTime;
      const entry = parseServiceLine(this.options.service, 'stdout', new Date(time).toISOString(), text);
      this.lastTime = time;
      this.attacher.push(entry, out);
    }
    if (flush) this.attacher.flush(out);
    return out;
  }

  private seenAlready(stamp: Rfc3339Stamp): boolean {
    const after = this.options.after;
    if (!after) return false;
    const order = compare(stamp, after);
    if (order < 0) return true;
    if (order === 0 && this.skipped < after.same) {
      this.skipped += 1;
      return true;
    }
    this.options.after = undefined; // past the point: nothing further is old
    return false;
  }

  private advance(stamp: Rfc3339Stamp): void {
    const holder = this.options.cursor;
    if (!holder) return;
    const at = holder.at;
    if (at && compare(stamp, at) === 0) at.same += 1;
    else holder.at = { ...stamp, same: 1 };
  }

  /** Without a needle every line; with one, JSON lines holding it and the plain lines after them. */
  private wanted(text: string): boolean {
    const needle = this.options.needle;
    if (!needle) return true;
    if (text.startsWith('{')) {
      this.inRun = text.includes(needle);
      return this.inRun;
    }
    return this.inRun;
  }
}

/** Splits text as it arrives into whole lines, carrying a line cut by a chunk's end over to the next chunk. */
export class LineSplitter {
  private carry = '';

  push(chunk: string): string[] {
    const text = this.carry + chunk;
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      this.carry = text;
      return [];
    }
    this.carry = text.slice(end + 1);
    return text.slice(0, end).split('\n');
  }
}
