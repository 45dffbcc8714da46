import type { TraceQuery, TraceSummary } from './span-store.js';
import { SUMMARY_FIXED_BYTES, SUMMARY_MAGIC, TailCache, type Decoded } from './span-store-summary.js';

/**
 * Partial trace summaries (span-store-summary.ts) summed per trace, for
 * `listTraces`: an open-addressing hash table over the 16 id bytes and
 * columns of numbers, so 100,000 traces cost no string or object each. A
 * trace's root and services (the record's text tail) are decoded only for
 * the traces shown, or for all when filtering by service. Fields are read
 * through DataViews (Buffer's readers cost a bounds check and a call each),
 * and the table is sized up front from the bytes it will be given.
 */
export class TraceTable {
  private count = 0;
  private capacity: number;
  /** Each trace id as four little-endian u32 words. */
  private ids: Uint32Array;
  private start: Float64Array;
  private end: Float64Array;
  private spans: Float64Array;
  private errors: Float64Array;
  /** Where the trace's first record is: which buffer, at what offset, how long. */
  private recordBuffer: Int32Array;
  private recordAt: Int32Array;
  private recordLength: Int32Array;
  private slots: Int32Array;
  private readonly buffers: Buffer[] = [];
  /** Traces with more than one record: root and services merged. */
  private readonly merged = new Map<number, Decoded>();
  private readonly tails = new TailCache();

  /** expectedBytes: the summaries' total size, if known (no rehash while adding then). */
  constructor(expectedBytes = 0) {
    this.capacity = Math.max(1024, 2 ** Math.ceil(Math.log2(expectedBytes / SUMMARY_FIXED_BYTES + 1)));
    this.ids = new Uint32Array(this.capacity * 4);
    this.start = new Float64Array(this.capacity);
    this.end = new Float64Array(this.capacity);
    this.spans = new Float64Array(this.capacity);
    this.errors = new Float64Array(this.capacity);
    this.recordBuffer = new Int32Array(this.capacity);
    this.recordAt = new Int32Array(this.capacity);
    this.recordLength = new Int32Array(this.capacity);
    this.slots = new Int32Array(this.capacity * 2);
  }

  /**
   * Every whole record of a `.sum` file's bytes (or of the same made from an
   * unsummarised tail). Returns how far into its segment the records cover
   * (0 when none, or the header is not ours).
   */
  add(bytes: Buffer): number {
    if (bytes.length < SUMMARY_MAGIC.length || bytes.toString('latin1', 0, SUMMARY_MAGIC.length) !== SUMMARY_MAGIC) return 0;
    const buffer = this.buffers.push(bytes) - 1;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    let covered = 0;
    for (let at = SUMMARY_MAGIC.length; at + SUMMARY_FIXED_BYTES <= bytes.length; ) {
      const length = view.getUint32(at, true);
      if (length < SUMMARY_FIXED_BYTES || at + length > bytes.length) break;
      this.addRecord(view, buffer, at, length);
      covered = Math.max(covered, view.getFloat64(at + 52, true));
      at += length;
    }
    return covered;
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
    const { root, entry, services } = this.decoded(i);
    const id = Buffer.allocUnsafe(16);
    for (let w = 0; w < 4; w++) id.writeUInt32LE(this.ids[i * 4 + w], w * 4);
    const summary: TraceSummary = {
      traceId: id.toString('hex'),
      services: [...services].sort(),
      startMs: this.start[i],
      durationMs: this.end[i] - this.start[i],
      errorCount: this.errors[i],
      spanCount: this.spans[i],
    };
    if (root) summary.root = { ...root };
    else if (entry) summary.root = { ...entry, parentOutside: true };
    return summary;
  }

  private decoded(i: number): Decoded {
    return this.merged.get(i) ?? this.tails.decode(this.buffers[this.recordBuffer[i]], this.recordAt[i], this.recordLength[i]);
  }

  private addRecord(view: DataView, buffer: number, at: number, length: number): void {
    const a = view.getUint32(at + 4, true);
    const b = view.getUint32(at + 8, true);
    const c = view.getUint32(at + 12, true);
    const d = view.getUint32(at + 16, true);
    const { ids } = this;
    const mask = this.slots.length - 1;
    for (let slot = hash(a, b, c, d) & mask; ; slot = (slot + 1) & mask) {
      const found = this.slots[slot] - 1;
      if (found < 0) {
        this.slots[slot] = this.insert(view, buffer, at, length, a, b, c, d) + 1;
        if (this.count * 2 > this.slots.length) this.rehash();
        return;
      }
      const w = found * 4;
      if (ids[w] === a && ids[w + 1] === b && ids[w + 2] === c && ids[w + 3] === d) return this.merge(view, found, buffer, at, length);
    }
  }

  private insert(view: DataView, buffer: number, at: number, length: number, a: number, b: number, c: number, d: number): number {
    if (this.count === this.capacity) this.grow();
    const i = this.count++;
    this.ids[i * 4] = a;
    this.ids[i * 4 + 1] = b;
    this.ids[i * 4 + 2] = c;
    this.ids[i * 4 + 3] = d;
    this.start[i] = view.getFloat64(at + 20, true);
    this.end[i] = view.getFloat64(at + 28, true);
    this.spans[i] = view.getUint32(at + 60, true);
    this.errors[i] = view.getUint32(at + 64, true);
    this.recordBuffer[i] = buffer;
    this.recordAt[i] = at;
    this.recordLength[i] = length;
    return i;
  }

  private merge(view: DataView, i: number, buffer: number, at: number, length: number): void {
    const partStart = view.getFloat64(at + 20, true);
    const earlier = partStart < this.start[i];
    this.start[i] = Math.min(this.start[i], partStart);
    this.end[i] = Math.max(this.end[i], view.getFloat64(at + 28, true));
    this.spans[i] += view.getUint32(at + 60, true);
    this.errors[i] += view.getUint32(at + 64, true);
    const before = this.decoded(i);
    const part = this.tails.decode(this.buffers[buffer], at, length);
    const services = part.services.every((s) => before.services.includes(s)) ? before.services : [...new Set([...before.services, ...part.services])];
    const root = before.root ?? part.root;
    // Without a span with no parent, the trace's earliest span stands in for it.
    const entry = root ? undefined : earlier ? (part.entry ?? before.entry) : (before.entry ?? part.entry);
    this.merged.set(i, { root, entry, services });
  }

  private grow(): void {
    this.capacity *= 2;
    const grown = <T extends Float64Array | Int32Array | Uint32Array>(old: T, make: new (size: number) => T, width = 1): T => {
      const next = new make(this.capacity * width);
      next.set(old);
      return next;
    };
    this.ids = grown(this.ids, Uint32Array, 4);
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
    const { ids } = this;
    for (let i = 0; i < this.count; i++) {
      let slot = hash(ids[i * 4], ids[i * 4 + 1], ids[i * 4 + 2], ids[i * 4 + 3]) & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = i + 1;
    }
  }
}

/** Mixes all four words of the id (a W3C trace id is random, but a generated one may not be in every part). */
function hash(a: number, b: number, c: number, d: number): number {
  let h = a ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(c, 0x85ebca6b) ^ Math.imul(d, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
