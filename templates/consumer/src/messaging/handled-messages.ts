/**
 * Message ids handled by this process, so a redelivered message is
 * acknowledged without being handled twice. Bounded: the oldest ids are
 * forgotten first. A handler that must be idempotent across restarts keeps
 * its own record (e.g. a unique key in its database).
 */
export class HandledMessages {
  readonly #ids = new Set<string>();
  readonly #inFlight = new Map<string, Promise<unknown>>();

  constructor(readonly capacity = 10_000) {}

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  add(id: string): void {
    this.#ids.add(id);
    if (this.#ids.size > this.capacity) this.#ids.delete(this.#ids.values().next().value as string);
  }

  /** Runs `work` for `id`, after any run already in flight for the same id has settled. */
  async exclusive<T>(id: string, work: () => Promise<T>): Promise<T> {
    while (this.#inFlight.has(id)) await this.#inFlight.get(id)!.catch(() => undefined);
    const running = work();
    this.#inFlight.set(id, running);
    try {
      return await running;
    } finally {
      this.#inFlight.delete(id);
    }
  }

  /** Resolves once nothing is in flight: for a graceful shutdown. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight.values()]);
  }
}
