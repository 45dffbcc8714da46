/**
 * Message ids handled by this process, so a redelivered message is
 * acknowledged without being handled twice. Bounded: the oldest ids are
 * forgotten first. A handler that must be idempotent across restarts keeps
 * its own record (e.g. a unique key in its database).
 */
export class HandledMessages {
  readonly #ids = new Set<string>();
  // The same ids in arrival order, as a ring: the slot to overwrite next holds the oldest.
  // (Deleting a Set's first entry via values().next() walks over every hole earlier deletes
  // left, which made each delivery slower as the set filled.)
  readonly #order: string[] = [];
  #next = 0;
  /** Per id, the last run in flight; it settles (never rejects) after that run ended. */
  readonly #inFlight = new Map<string, Promise<unknown>>();

  constructor(readonly capacity = 10_000) {}

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  add(id: string): void {
    if (this.#ids.has(id)) return;
    this.#ids.add(id);
    if (this.#order.length < this.capacity) {
      this.#order.push(id);
      return;
    }
    this.#ids.delete(this.#order[this.#next]);
    this.#order[this.#next] = id;
    this.#next = (this.#next + 1) % this.capacity;
  }

  /** Runs `work` for `id`, after any run already in flight for the same id has settled. */
  exclusive<T>(id: string, work: () => Promise<T>): Promise<T> {
    // Chained with then(), not awaited in a loop: this runs for every delivery.
    const before = this.#inFlight.get(id);
    const running = before ? before.then(work) : work();
    const tracked: Promise<unknown> = running.then(
      () => this.#settle(id, tracked),
      () => this.#settle(id, tracked),
    );
    this.#inFlight.set(id, tracked);
    return running;
  }

  #settle(id: string, run: Promise<unknown>): void {
    // A later run for the same id may have taken the slot: it clears its own.
    if (this.#inFlight.get(id) === run) this.#inFlight.delete(id);
  }

  /** Resolves once nothing is in flight: for a graceful shutdown. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight.values()]);
  }
}
