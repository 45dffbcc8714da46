import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * A sparse index of trace ids beside each log file (`<service>.tidx` next to
 * `<service>.ndjson`), so `msx logs --trace-id` reads the few blocks of a file
 * that can hold the trace instead of all of it.
 *
 * The writer (the supervisor or the Docker log follower, through
 * ServiceLogFile) cuts the file into blocks of about 1 MiB and, when a block
 * is done, appends one record: the block's byte range and a Bloom filter of
 * the trace ids its lines carry (`trace_id`, or `traceId`, as filters.ts
 * matches them). A plain line (a stack frame) counts for the trace of the JSON
 * line above it, so a stack trace cut by a block's end is still found.
 *
 * A Bloom filter has false positives (a block read for nothing, about 1 in
 * 100) and no false negatives. Whatever the index does not cover — the block
 * being written, bytes written while no index was kept, a record never written
 * because the writer died — is read in full, so the index only ever saves
 * work: it never hides a line. An index that does not match its log file
 * (another file under the same name, a bad header, records out of order) is
 * ignored and the whole file is read.
 *
 * Layout (little-endian): header `msxtidx1`, u32 filter bytes, u32 hash count,
 * f64 the log file's inode, f64 its birth time (an inode number is reused as
 * soon as a file is deleted); then records of f64 start, f64 end, filter bits.
 */
const MAGIC = 'msxtidx1';
const HEADER_BYTES = 32;
/** 32 Kbit per block with 4 hashes: about 1% false positives at 2,500 trace ids. */
const FILTER_BYTES = 4096;
const HASHES = 4;
const RECORD_BYTES = 16 + FILTER_BYTES;
const BLOCK_BYTES = 1 << 20;
const BLOCK_IDS = 2500;

/** Which log file an index belongs to: fs.Stats has both. */
export interface LogFileIdentity {
  ino: number;
  birthtimeMs: number;
}

/** A byte range of a log file, [start, end). */
export type ByteRange = [start: number, end: number];

/** Two independent 32-bit FNV-1a hashes of the id; the Bloom positions are h1 + i·h2 (double hashing). */
function hashPair(id: string): [number, number] {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return [h1 >>> 0, (h2 | 1) >>> 0];
}

const BITS = FILTER_BYTES * 8;

function bitAt(h1: number, h2: number, i: number): number {
  return (h1 + Math.imul(i, h2)) >>> 0 & (BITS - 1);
}

/**
 * Keeps `<service>.tidx` up to date while the log file is appended to. Given
 * every line's byte length and trace id in the order they are written.
 */
export class TraceIndexWriter {
  private readonly fd: number;
  private readonly filter = Buffer.alloc(FILTER_BYTES);
  private blockStart: number;
  private position: number;
  private ids = 0;
  private lastTraceId: string | undefined;
  private closed = false;

  /** `logSize` and `log`: the log file as it is when appending starts. */
  constructor(indexPath: string, logSize: number, log: LogFileIdentity) {
    this.fd = openSync(indexPath, 'a+');
    this.blockStart = this.position = logSize;
    if (!matches(this.fd, logSize, log)) {
      // A new log file, or an index of another one: start over (bytes already in the log file are read in full).
      const header = Buffer.alloc(HEADER_BYTES);
      header.write(MAGIC, 0, 'latin1');
      header.writeUInt32LE(FILTER_BYTES, 8);
      header.writeUInt32LE(HASHES, 12);
      header.writeDoubleLE(log.ino, 16);
      header.writeDoubleLE(log.birthtimeMs, 24);
      closeSync(openSync(indexPath, 'w'));
      writeSync(this.fd, header);
    }
  }

  /**
   * One line written to the log file: its length in bytes (newline included)
   * and its trace id; undefined `traceId` with `plain` for a line that is not
   * JSON (it belongs to the trace of the line above).
   */
  add(bytes: number, traceId: string | undefined, plain: boolean): void {
    const id = plain ? this.lastTraceId : traceId;
    if (!plain) this.lastTraceId = traceId;
    if (id !== undefined) {
      const [h1, h2] = hashPair(id);
      let changed = false;
      for (let i = 0; i < HASHES; i++) {
        const bit = bitAt(h1, h2, i);
        const mask = 1 << (bit & 7);
        if ((this.filter[bit >>> 3] & mask) === 0) {
          this.filter[bit >>> 3] |= mask;
          changed = true;
        }
      }
      if (changed) this.ids += 1;
    }
    this.position += bytes;
    if (this.position - this.blockStart >= BLOCK_BYTES || this.ids >= BLOCK_IDS) this.flush();
  }

  /** Writes the record of the block so far (also at close: the next writer starts a new block). */
  flush(): void {
    if (this.closed || this.position === this.blockStart) return;
    const record = Buffer.allocUnsafe(RECORD_BYTES);
    record.writeDoubleLE(this.blockStart, 0);
    record.writeDoubleLE(this.position, 8);
    this.filter.copy(record, 16);
    writeSync(this.fd, record);
    this.filter.fill(0);
    this.blockStart = this.position;
    this.ids = 0;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.fd);
  }
}

/** Whether the index in `fd` belongs to this log file and covers no byte it does not have. */
function matches(fd: number, logSize: number, log: LogFileIdentity): boolean {
  const size = fstatSync(fd).size;
  if (size < HEADER_BYTES || (size - HEADER_BYTES) % RECORD_BYTES !== 0) return false;
  const header = Buffer.alloc(HEADER_BYTES);
  readSync(fd, header, 0, HEADER_BYTES, 0);
  if (!validHeader(header, log)) return false;
  if (size === HEADER_BYTES) return true;
  const last = Buffer.alloc(16);
  readSync(fd, last, 0, 16, size - RECORD_BYTES);
  return last.readDoubleLE(8) <= logSize;
}

function validHeader(header: Buffer, log: LogFileIdentity): boolean {
  return (
    header.toString('latin1', 0, 8) === MAGIC &&
    header.readUInt32LE(8) === FILTER_BYTES &&
    header.readUInt32LE(12) === HASHES &&
    header.readDoubleLE(16) === log.ino &&
    header.readDoubleLE(24) === log.birthtimeMs
  );
}

/**
 * The parts of a log file that may hold lines of `traceId`, from `from` to
 * `size` (the log file's size when reading began), merged where they touch:
 * blocks whose filter has the id, and everything the index does not cover.
 * Undefined when there is no index or it does not fit the file: then read it
 * all. The index is read a megabyte at a time, so memory stays flat however
 * big the log file grows.
 */
export async function rangesToRead(indexPath: string, traceId: string, from: number, size: number, log: LogFileIdentity): Promise<ByteRange[] | undefined> {
  const handle = await open(indexPath, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const total = (await handle.stat()).size;
    if (total < HEADER_BYTES || (total - HEADER_BYTES) % RECORD_BYTES !== 0) return undefined;
    const header = Buffer.alloc(HEADER_BYTES);
    await handle.read(header, 0, HEADER_BYTES, 0);
    if (!validHeader(header, log)) return undefined;
    const search = new RangeSearch(traceId, from, size);
    const buffer = Buffer.allocUnsafe(RECORD_BYTES * 256);
    for (let position = HEADER_BYTES; position < total && !search.done; ) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, total - position), position);
      if (bytesRead === 0 || bytesRead % RECORD_BYTES !== 0) return undefined; // cut short while reading: no index
      if (!search.take(buffer.subarray(0, bytesRead))) return undefined;
      position += bytesRead;
    }
    return search.finish();
  } finally {
    await handle.close();
  }
}

/** Goes through an index's records in order, collecting the byte ranges to read. */
class RangeSearch {
  private readonly bits: number[];
  private readonly ranges: ByteRange[] = [];
  /** Where the records read so far end. */
  private covered = 0;
  /** Set by a record past the log file's end (written ahead of its bytes reaching the disk): the rest is read in full. */
  done = false;

  constructor(
    traceId: string,
    private readonly from: number,
    private readonly size: number,
  ) {
    const [h1, h2] = hashPair(traceId);
    this.bits = Array.from({ length: HASHES }, (_, i) => bitAt(h1, h2, i));
  }

  /** Whole records; false when they are not an index of this file (out of order). */
  take(records: Buffer): boolean {
    for (let at = 0; at < records.length && !this.done; at += RECORD_BYTES) {
      const start = records.readDoubleLE(at);
      const end = records.readDoubleLE(at + 8);
      if (!(start >= this.covered && end > start)) return false;
      if (end > this.size) {
        this.done = true;
        break;
      }
      if (start > this.covered) this.want(this.covered, start); // written while no index was kept
      if (this.bits.every((bit) => (records[at + 16 + (bit >>> 3)] & (1 << (bit & 7))) !== 0)) this.want(start, end);
      this.covered = end;
    }
    return true;
  }

  finish(): ByteRange[] {
    this.want(this.covered, this.size); // the block being written
    return this.ranges;
  }

  private want(start: number, end: number): void {
    const s = Math.max(start, this.from);
    const e = Math.min(end, this.size);
    if (e <= s) return;
    const last = this.ranges.at(-1);
    if (last && last[1] >= s) last[1] = Math.max(last[1], e);
    else this.ranges.push([s, e]);
  }
}
