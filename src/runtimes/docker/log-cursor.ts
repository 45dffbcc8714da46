import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The Docker API's `since`: seconds, a dot, nanoseconds. */
export function sinceParameter(nanos: bigint): string {
  return `${nanos / 1_000_000_000n}.${String(nanos % 1_000_000_000n).padStart(9, '0')}`;
}

const MAX_ENTRIES = 500;

/**
 * The last log line msx wrote for each container, kept in .msx/ so that
 * whichever process follows the logs next (`msx up` in the foreground, or the
 * detached follower) goes on from there: no line written twice, none lost
 * across a restart of the container or of msx.
 */
export class LogCursor {
  private readonly positions: Record<string, string>;
  private timer?: NodeJS.Timeout;

  constructor(private readonly file: string) {
    this.positions = existsSync(file) ? readPositions(file) : {};
  }

  position(containerId: string): bigint | undefined {
    const value = this.positions[containerId];
    return value === undefined ? undefined : BigInt(value);
  }

  advance(containerId: string, nanos: bigint): void {
    this.positions[containerId] = String(nanos);
    this.timer ??= setTimeout(() => this.save(), 300).unref();
  }

  save(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const entries = Object.entries(this.positions).slice(-MAX_ENTRIES);
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(Object.fromEntries(entries)));
    renameSync(temp, this.file);
  }
}

function readPositions(file: string): Record<string, string> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    return {}; // cut short by a hard kill: start over, at worst a few lines twice
  }
}
