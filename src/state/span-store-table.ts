import type { TraceQuery, TraceSummary } from './span-store.js';
import { forEachSummary, TailCache, type Decoded } from './span-store-summary.js';

/**
 * Partial trace summaries (span-store-summary.ts) summed per trace, for
 * `listTraces`: an open-addressing hash table over the 16 id bytes and
 * columns of numbers, so 100,000 traces cost no string or object each. A
 * trace's root and services (the record's text tail) are decoded only for
 * the traces shown, or for all when filtering by service.
 */
export class TraceTable {
  private count = 0;
  private capacity = 1024;
  private ids = Buffer.alloc(this.capacity * 16);
  private start = new Float64Array(this.capacity);
  private end = new Float64Array(this.capacity);
  private spans = new Float64Array(this.capacity);
  private errors = new Float64Array(this.capacity);
  /** Where the trace's first record is: which buffer, at what offset, how long. */
  private recordBuffer = new Int32Array(this.capacity);
  private recordAt = new Int32Array(this.capacity);
  private recordLength = new Int32Array(this.capacity);
  private slots = new Int32Array(2048);
  private readonly buffers: Buffer[] = [];
  /** Traces with more than one record: root and services merged. */
  private readonly merged = new Map<number, Decoded>();
  private readonly tails = new TailCache();

  /** Every whole record of a `.sum` file's bytes (or of the same made from an unsummarised tail). */
  add(bytes: Buffer): void {
    const buffer = this.buffers.push(bytes) - 1;
    forEachSummary(bytes, (at, length) => this.addRecord(buffer, at, length));
  }

  select(query: TraceQuery): TraceSummary[] {
    const { service, sinceMs, errors } = query;
    const slowest = query.order === 'slowest';
    const { start, end } = this;
    const ahead = slowest
      ? (a: number, b: number) => end[a] - start[a] > end[b] - start[b] || (end[a] - start[a] === end[b] - start[b] && start[a] > start[b])
      : (a: number, b: number) => start[a] > start[b];
    const matches = (i: number) =>
      (sinceMs === undefined || start[i] >= sinceMs) && (!errors || this.errors[i] > 0) && (service === undefined || this.decoded(i).services.includes(service));
    const limit = query.limit ?? 20;
    const kept: number[] = [];
    for (let i = 0; i < this.count; i++) {
      if (limit > 0 && kept.length === limit && !ahead(i, kept[limit - 1])) continue;
      if (!matches(i)) continue;
      if (limit <= 0) {
        kept.push(i);
        continue;
      }
      let low = 0;
      let high = kept.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (ahead(i, kept[middle])) high = middle;
        else low = middle + 1;
      }
      kept.splice(low, 0, i);
      if (kept.length > limit) kept.pop();
    }
    if (limit <= 0) kept.sort((a, b) => (ahead(a, b) ? -1 : ahead(b, a) ? 1 : 0));
    return kept.map((i) => this.summary(i));
  }

  private summary(i: number): TraceSummary {
    const { root, services } = this.decoded(i);
    const summary: TraceSummary = {
      traceId: this.ids.toString('hex', i * 16, i * 16 + 16),
      services: [...services].sort(),
      startMs: this.start[i],
      durationMs: this.end[i] - this.start[i],
      errorCount: this.errors[i],
      spanCount: this.spans[i],
    };
    if (root) summary.root = { ...root };
    return summary;
  }

  private decoded(i: number): Decoded {
    return this.merged.get(i) ?? this.tails.decode(this.buffers[this.recordBuffer[i]], this.recordAt[i], this.recordLength[i]);
  }

  private addRecord(buffer: number, at: number, length: number): void {
    const bytes = this.buffers[buffer];
    const idAt = at + 4;
    const mask = this.slots.length - 1;
    for (let slot = hash(bytes, idAt) & mask; ; slot = (slot + 1) & mask) {
      const found = this.slots[slot] - 1;
      if (found < 0) {
        this.slots[slot] = this.insert(buffer, at, length) + 1;
        if (this.count * 2 > this.slots.length) this.rehash();
        return;
      }
      if (this.sameId(found, bytes, idAt)) return this.merge(found, buffer, at, length);
    }
  }

  private insert(buffer: number, at: number, length: number): number {
    if (this.count === this.capacity) this.grow();
    const i = this.count++;
    const bytes = this.buffers[buffer];
    bytes.copy(this.ids, i * 16, at + 4, at + 20);
    this.start[i] = bytes.readDoubleLE(at + 20);
    this.end[i] = bytes.readDoubleLE(at + 28);
    this.spans[i] = bytes.readUInt32LE(at + 60);
    this.errors[i] = bytes.readUInt32LE(at + 64);
    this.recordBuffer[i] = buffer;
    this.recordAt[i] = at;
    this.recordLength[i] = length;
    return i;
  }

  private merge(i: number, buffer: number, at: number, length: number): void {
    const bytes = this.buffers[buffer];
    this.start[i] = Math.min(this.start[i], bytes.readDoubleLE(at + 20));
    this.end[i] = Math.max(this.end[i], bytes.readDoubleLE(at + 28));
    this.spans[i] += bytes.readUInt32LE(at + 60);
    this.errors[i] += bytes.readUInt32LE(at + 64);
    const before = this.decoded(i);
    const part = this.tails.decode(bytes, at, length);
    const services = part.services.every((s) => before.services.includes(s)) ? before.services : [...new Set([...before.services, ...part.services])];
    this.merged.set(i, { root: before.root ?? part.root, services });
  }

  private sameId(i: number, bytes: Buffer, idAt: number): boolean {
    const at = i * 16;
    const ids = this.ids;
    return (
      ids.readUInt32LE(at) === bytes.readUInt32LE(idAt) &&
      ids.readUInt32LE(at + 4) === bytes.readUInt32LE(idAt + 4) &&
      ids.readUInt32LE(at + 8) === bytes.readUInt32LE(idAt + 8) &&
      ids.readUInt32LE(at + 12) === bytes.readUInt32LE(idAt + 12)
    );
  }

  private grow(): void {
    this.capacity *= 2;
    const ids = Buffer.alloc(this.capacity * 16);
    this.ids.copy(ids);
    this.ids = ids;
    const grown = <T extends Float64Array | Int32Array>(old: T, make: new (size: number) => T): T => {
      const next = new make(this.capacity);
      next.set(old);
      return next;
    };
    this.start = grown(this.start, Float64Array);
    this.end = grown(this.end, Float64Array);
    this.spans = grown(this.spans, Float64Array);
    this.errors = grown(this.errors, Float64Array);
    this.recordBuffer = grown(this.recordBuffer, Int32Array);
    this.recordAt = grown(this.recordAt, Int32Array);
    this.recordLength = grown(this.recordLength, Int32Array);
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    const mask = this.slots.length - 1;
    for (let i = 0; i < this.count; i++) {
      let slot = hash(this.ids, i * 16) & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = i + 1;
    }
  }
}

/** Mixes all 16 id bytes (a W3C trace id is random, but a generated one may not be in every part). */
function hash(bytes: Buffer, at: number): number {
  let h = bytes.readUInt32LE(at) ^ Math.imul(bytes.readUInt32LE(at + 4), 0x9e3779b1) ^ Math.imul(bytes.readUInt32LE(at + 8), 0x85ebca6b) ^ Math.imul(bytes.readUInt32LE(at + 12), 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
