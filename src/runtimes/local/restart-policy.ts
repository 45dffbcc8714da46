/**
 * When a crashed local service is restarted, and when msx gives up on it.
 * Pure: the caller passes the crash history and the time, so the policy is
 * tested without processes or waiting (test/runtimes/local/restart-policy.test.ts).
 */

export interface RestartPolicy {
  /** Crashes within `windowMs` after which the service is marked failed. */
  maxCrashes: number;
  windowMs: number;
  firstBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { maxCrashes: 5, windowMs: 60_000, firstBackoffMs: 250, maxBackoffMs: 8_000 };

export type RestartDecision =
  | { action: 'restart'; backoffMs: number }
  | { action: 'give-up'; crashesInWindow: number; windowMs: number };

export interface CrashVerdict {
  /** The crash times still inside the window, this crash last: the history to pass next time. */
  crashes: number[];
  decision: RestartDecision;
}

/**
 * A crash at `now`, given the earlier crash times: crashes older than the
 * window are forgotten; `maxCrashes` inside it gives up, otherwise the wait
 * doubles from `firstBackoffMs` with each crash in the window, up to `maxBackoffMs`.
 */
export function onCrash(history: readonly number[], now: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): CrashVerdict {
  const crashes = [...history.filter((t) => now - t < policy.windowMs), now];
  if (crashes.length >= policy.maxCrashes) {
    return { crashes, decision: { action: 'give-up', crashesInWindow: crashes.length, windowMs: policy.windowMs } };
  }
  const backoffMs = Math.min(policy.firstBackoffMs * 2 ** (crashes.length - 1), policy.maxBackoffMs);
  return { crashes, decision: { action: 'restart', backoffMs } };
}
