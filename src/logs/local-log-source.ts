import { readdir, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LogEntry } from './log-entry.js';
import type { LogFollowOptions, LogReadOptions, LogSource } from './log-source.js';
import { parseLogFileLine } from './parse-line.js';
import { scanLines } from './line-scanner.js';
import { StackAttacher } from './stack-trace.js';
import { LOG_SUFFIX, serviceLogPath, traceIndexPath } from '../state/paths.js';
import { rangesToRead, type ByteRange } from '../state/trace-index.js';

const TRACE_ID = /^[0-9a-f]{32}$/;

/** How far a service's file has been read, and the last time seen (for lines with none of their own). */
interface FileState {
  offset: number;
  lastTime: number;
}

/**
 * The local runtime's logs: `<workspace>/.msx/logs/<service>.ndjson`, appended
 * to by the supervisor (src/runtimes/local/log-file.ts). Following polls the
 * files' sizes: it works the same on every OS and file system, where fs.watch
 * does not, and a quarter second is quick enough for a person watching.
 */
export class LocalLogSource implements LogSource {
  private readonly files = new Map<string, FileState>();

  private readonly pollMs: number;
  private readonly chunkSize?: number;

  /** `chunkSize` (bytes read at a time) and `pollMs` are for tests; the defaults are what users get. */
  constructor(
    private readonly dir: string,
    options: { pollMs?: number; chunkSize?: number } = {},
  ) {
    this.pollMs = options.pollMs ?? 250;
    this.chunkSize = options.chunkSize;
  }

  async services(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names.filter((name) => name.endsWith(LOG_SUFFIX)).map((name) => name.slice(0, -LOG_SUFFIX.length)).sort();
  }

  read(service: string, options: LogReadOptions = {}): AsyncIterable<LogEntry[]> {
    return this.readFile(service, this.stateOf(service), options.needle);
  }

  async *follow(options: LogFollowOptions): AsyncGenerator<LogEntry[]> {
    while (!options.signal.aborted) {
      const entries = await this.newEntries(options);
      if (entries.length > 0) yield entries;
      await sleep(this.pollMs, undefined, { signal: options.signal }).catch(() => undefined);
    }
  }

  /** What every followed file gained since the last look, in time order (sort is stable: same time keeps file order). */
  private async newEntries(options: LogFollowOptions): Promise<LogEntry[]> {
    const entries: LogEntry[] = [];
    for (const service of options.services ?? (await this.services())) {
      const size = await stat(this.pathOf(service)).then((s) => s.size, () => undefined);
      const state = this.stateOf(service);
      if (size === undefined || size === state.offset) continue;
      if (size < state.offset) state.offset = 0; // truncated or replaced: read it again from the top
      for await (const batch of this.readFile(service, state, options.needle, size)) entries.push(...batch);
    }
    return entries.sort((a, b) => a.time - b.time);
  }

  private async *readFile(service: string, state: FileState, needle?: string, end?: number): AsyncGenerator<LogEntry[]> {
    const attacher = new StackAttacher();
    const indexed = await this.rangesOf(service, state.offset, needle, end);
    for (const [start, stop] of indexed?.ranges ?? [[state.offset, end]]) {
      for await (const batch of scanLines(this.pathOf(service), { start, end: stop, needle, chunkSize: this.chunkSize }, state)) {
        const entries: LogEntry[] = [];
        for (const raw of batch) {
          const entry = parseLogFileLine(raw, service, state.lastTime);
          state.lastTime = entry.time;
          attacher.push(entry, entries);
        }
        if (entries.length > 0) yield entries;
      }
    }
    // Skipped blocks hold nothing for this reader: following goes on from the end.
    if (indexed && indexed.ranges.at(-1)?.[1] !== indexed.size) state.offset = indexed.size;
    const last: LogEntry[] = [];
    attacher.flush(last);
    if (last.length > 0) yield last;
  }

  /**
   * For a trace id, only the parts of the file its trace index (written beside
   * it by the local runtime) says may hold it; undefined means the whole rest
   * of the file.
   */
  private async rangesOf(service: string, from: number, needle: string | undefined, end: number | undefined): Promise<{ ranges: ByteRange[]; size: number } | undefined> {
    if (!needle || !TRACE_ID.test(needle)) return undefined;
    const log = await stat(this.pathOf(service)).catch(() => undefined);
    if (!log) return undefined;
    const size = Math.min(end ?? log.size, log.size);
    const ranges = await rangesToRead(traceIndexPath(this.dir, service), needle, from, size, log);
    return ranges && { ranges, size };
  }

  private stateOf(service: string): FileState {
    let state = this.files.get(service);
    if (!state) this.files.set(service, (state = { offset: 0, lastTime: 0 }));
    return state;
  }

  private pathOf(service: string): string {
    return serviceLogPath(this.dir, service);
  }
}
