import { describeError } from "./describe-error.js";

/** A readiness check: resolves when the thing it checks can serve, rejects with why not. */
export type ReadinessCheck = (signal: AbortSignal) => Promise<void>;

export interface CheckResult {
  name: string;
  ok: boolean;
  error?: string;
}

export type ReadinessStatus = "ready" | "not_ready" | "starting" | "shutting_down";

export interface Readiness {
  ready: boolean;
  status: ReadinessStatus;
  /** Names of the checks that failed: what an operator looks at first. */
  failing: string[];
  checks: CheckResult[];
}

interface RegisteredCheck {
  name: string;
  run: ReadinessCheck;
  timeoutMs: number;
}

/**
 * Liveness, startup and readiness state of one service process. Transport
 * agnostic: a kind maps these to HTTP routes, gRPC health, or files.
 */
export class HealthRegistry {
  readonly #checks = new Map<string, RegisteredCheck>();
  #started = false;
  #shuttingDown = false;

  addReadinessCheck(name: string, run: ReadinessCheck, options: { timeoutMs?: number } = {}): void {
    this.#checks.set(name, { name, run, timeoutMs: options.timeoutMs ?? 2000 });
  }

  markStarted(): void {
    this.#started = true;
  }

  /** Readiness fails from here on, so load balancers stop sending work before the server closes. */
  markShuttingDown(): void {
    this.#shuttingDown = true;
  }

  get started(): boolean {
    return this.#started;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  async readiness(): Promise<Readiness> {
    if (this.#shuttingDown) return { ready: false, status: "shutting_down", failing: [], checks: [] };
    if (!this.#started) return { ready: false, status: "starting", failing: [], checks: [] };
    const checks = await Promise.all([...this.#checks.values()].map(runCheck));
    const failing = checks.filter((c) => !c.ok).map((c) => c.name);
    return { ready: failing.length === 0, status: failing.length ? "not_ready" : "ready", failing, checks };
  }
}

/** Checks a dependency by its own liveness endpoint: is it up, not is it ready. */
export function httpLivenessCheck(baseUrl: string): ReadinessCheck {
  const target = `${baseUrl.replace(/\/+$/, "")}/health/live`;
  return async (signal) => {
    const response = await fetch(target, { signal });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`GET ${target} answered ${response.status}`);
  };
}

async function runCheck(check: RegisteredCheck): Promise<CheckResult> {
  const signal = AbortSignal.timeout(check.timeoutMs);
  const timedOut = new Promise<never>((_, reject) => {
    signal.addEventListener("abort", () => reject(new Error(`timed out after ${check.timeoutMs} ms`)));
  });
  try {
    await Promise.race([check.run(signal), timedOut]);
    return { name: check.name, ok: true };
  } catch (error) {
    return { name: check.name, ok: false, error: describeError(error) };
  }
}
