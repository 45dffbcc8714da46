import type { ReadinessCheck } from "./health.js";
import type { TraceContext } from "./trace-context.js";

/** A created aggregate as the services this one calls see it (the whole object travels in events). */
export interface CreatedItem {
  id: string;
  name: string;
}

/** Another service this one calls, behind its resilient client (src/clients/<name>-client.ts). */
export interface DependencyClient {
  readonly name: string;
  /** Whether it is up: one of this service's readiness checks. */
  readonly readiness: ReadinessCheck;
  /** The sample call made once for every created aggregate, in the creating request's span; throws a DependencyError. */
  onCreated(item: CreatedItem, trace: TraceContext): Promise<void>;
  close(): Promise<void> | void;
}

/**
 * A call to another service (or the broker) that failed after every policy
 * gave up. `unavailable`: it could not be reached, timed out or its circuit is
 * open (answer 503); otherwise it answered with an error (answer 502).
 */
export class DependencyError extends Error {
  override name = "DependencyError";
  readonly unavailable: boolean;

  constructor(message: string, options: ErrorOptions & { unavailable?: boolean } = {}) {
    super(message, options);
    this.unavailable = options.unavailable ?? true;
  }
}
