import { open, type FileHandle } from 'node:fs/promises';
import { LINE_KEY } from '../state/log-record.js';

export interface ScanOptions {
  /** Byte offset to start at: the start of a line. */
  start: number;
  /** Stop at this byte offset (the file's size when reading began); a line not ended by then is left for later. */
  end?: number;
  /** Only lines containing this text, each with the plain lines right after it (its stack trace). */
  needle?: string;
  chunkSize?: number;
}

/** Where the next unread line starts; kept up to date as batches are read, so a follower can go on from there. */
export interface ScanCursor {
  offset: number;
}

/**
 * Searching for a needle touches few lines, so big reads win (fewer trips to
 * the thread pool). Parsing every line makes objects: small chunks keep each
 * batch short-lived, so V8 frees it young instead of promoting it; at 1 MB a
 * full read of five services peaked at 345 MB RSS, at 128 KB at 113 MB.
 */
const SEARCH_CHUNK = 1 << 20;
const PARSE_CHUNK = 1 << 17;
const NEWLINE = 0x0a;
const OPEN_BRACE = 0x7b;
const LINE_KEY_BYTES = Buffer.from(LINE_KEY);

/**
 * The lines of an NDJSON log file in batches, one batch per chunk read, in
 * file order. Memory stays at two chunks whatever the file size: the next
 * chunk is read while this one is split.
 *
 * With a needle, a chunk is searched as bytes (Buffer.indexOf runs at memory
 * speed, like grep) and only the lines holding it are decoded; the rest are
 * never turned into strings. Lines that follow a kept line and whose body is
 * not a JSON object are kept too, so a stack trace still reaches
 * StackAttacher beside its line.
 */
export async function* scanLines(path: string, options: ScanOptions, cursor: ScanCursor): AsyncGenerator<string[]> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined; // a service that never ran has no lines
    throw error;
  });
  if (!handle) return;
  const picker = new LinePicker(options.needle);
  let position = options.start;
  let next: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
  try {
    const end = options.end ?? (await handle.stat()).size;
    // No bigger than the range: a trace lookup reads many short ranges (trace-index.ts).
    const size = Math.max(1, Math.min(options.chunkSize ?? (options.needle ? SEARCH_CHUNK : PARSE_CHUNK), end - position));
    const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
    next = readChunk(handle, buffers[0], position, end);
    for (let turn = 1; ; turn ^= 1) {
      const chunk = await next;
      if (chunk.length === 0) break;
      position += chunk.length;
      next = readChunk(handle, buffers[turn], position, end);
      const lines = picker.take(chunk);
      cursor.offset = position - picker.carried;
      if (lines.length > 0) yield lines;
    }
  } finally {
    await next.catch(() => undefined); // never close the file under a read in flight
    await handle.close();
  }
}

async function readChunk(handle: FileHandle, buffer: Buffer, position: number, end: number): Promise<Buffer> {
  const length = Math.min(buffer.length, end - position);
  if (length <= 0) return buffer.subarray(0, 0);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/** Splits chunks into whole lines, carrying a line cut by the chunk's end over to the next chunk. */
class LinePicker {
  private carry: Buffer = Buffer.alloc(0);
  /** True while the lines read are a kept line's stack trace. */
  private inRun = false;
  private readonly needle?: Buffer;

  constructor(needle?: string) {
    if (needle) this.needle = Buffer.from(needle);
  }

  get carried(): number {
    return this.carry.length;
  }

  take(chunk: Buffer): string[] {
    const first = chunk.indexOf(NEWLINE);
    if (first < 0) {
      this.carry = Buffer.concat([this.carry, chunk]); // a line longer than a chunk
      return [];
    }
    const last = chunk.lastIndexOf(NEWLINE);
    const lines: string[] = [];
    const head = this.carry.length > 0 ? Buffer.concat([this.carry, chunk.subarray(0, first)]) : chunk.subarray(0, first);
    this.pick(head, 0, head.length, lines);
    if (last > first) this.pick(chunk, first + 1, last, lines);
    this.carry = Buffer.from(chunk.subarray(last + 1)); // copied: the chunk's buffer is read into again
    return lines;
  }

  /** Lines of `buffer` in [from, to), where `to` is a newline (or the end of a joined line). */
  private pick(buffer: Buffer, from: number, to: number, lines: string[]): void {
    if (!this.needle) {
      if (to > from) for (const line of buffer.toString('utf8', from, to).split('\n')) if (line !== '') lines.push(line);
      return;
    }
    let at = this.continueRun(buffer, from, to, lines);
    while (at <= to) {
      const hit = buffer.indexOf(this.needle, at);
      if (hit < 0 || hit >= to) return;
      const lineStart = buffer.lastIndexOf(NEWLINE, hit) + 1;
      const lineEnd = lineEndAt(buffer, hit, to);
      at = lineEnd + 1;
      // A plain line holding the needle belongs to the line above it (or to no
      // kept line): a full read would not keep it on its own either.
      if (!hasJsonBody(buffer, lineStart, lineEnd)) continue;
      lines.push(buffer.toString('utf8', lineStart, lineEnd));
      this.inRun = true;
      at = this.continueRun(buffer, at, to, lines);
    }
  }

  /** Keeps the plain lines after a kept line; returns where the run stopped. */
  private continueRun(buffer: Buffer, from: number, to: number, lines: string[]): number {
    let at = from;
    while (this.inRun && at <= to && at < buffer.length) {
      const lineEnd = lineEndAt(buffer, at, to);
      if (hasJsonBody(buffer, at, lineEnd)) {
        this.inRun = false;
        break;
      }
      if (lineEnd > at) lines.push(buffer.toString('utf8', at, lineEnd));
      at = lineEnd + 1;
    }
    return at;
  }
}

function lineEndAt(buffer: Buffer, from: number, to: number): number {
  const newline = buffer.indexOf(NEWLINE, from);
  return newline < 0 || newline > to ? to : newline;
}

/** Whether the service's line in this record is a JSON object (not a plain line of text). */
function hasJsonBody(buffer: Buffer, start: number, end: number): boolean {
  const key = buffer.subarray(start, end).indexOf(LINE_KEY_BYTES);
  return key >= 0 && buffer[start + key + LINE_KEY_BYTES.length] === OPEN_BRACE;
}
