import { describe, expect, it } from 'vitest';
import { DEFAULT_RESTART_POLICY, onCrash, type RestartPolicy } from '../../../src/runtimes/local/restart-policy.js';

// The clock is a number the test passes in: no timers, no waiting.
const SECOND = 1_000;

/** Crashes at the given times, one after another, each with the history the previous left. */
function crashAt(times: number[], policy: RestartPolicy = DEFAULT_RESTART_POLICY) {
  let history: number[] = [];
  return times.map((now) => {
    const verdict = onCrash(history, now, policy);
    history = verdict.crashes;
    return verdict;
  });
}

describe('restart policy of the local runtime', () => {
  it('is 5 crashes in 60 s, backoff from 250 ms up to 8 s by default', () => {
    expect(DEFAULT_RESTART_POLICY).toEqual({ maxCrashes: 5, windowMs: 60_000, firstBackoffMs: 250, maxBackoffMs: 8_000 });
  });

  it('restarts after a backoff that doubles with each crash in the window', () => {
    // Given four crashes a second apart, When each is decided
    const verdicts = crashAt([0, 1, 2, 3].map((s) => 100 * SECOND + s * SECOND));
    // Then 250, 500, 1000, 2000 ms
    expect(verdicts.map((v) => v.decision)).toEqual([250, 500, 1_000, 2_000].map((backoffMs) => ({ action: 'restart', backoffMs })));
  });

  it('gives up at the fifth crash inside 60 s', () => {
    const verdicts = crashAt([0, 10, 20, 30, 59].map((s) => s * SECOND));
    expect(verdicts[4].decision).toEqual({ action: 'give-up', crashesInWindow: 5, windowMs: 60_000 });
    expect(verdicts.slice(0, 4).every((v) => v.decision.action === 'restart')).toBe(true);
  });

  it('forgets crashes older than the window: five crashes spread over more than 60 s are restarted', () => {
    // Given crashes at 0, 20, 40, 59.999 s, When the fifth comes at exactly 60 s, the one at 0 s is out of the window
    const verdicts = crashAt([0, 20, 40, 59.999, 60].map((s) => s * SECOND));
    expect(verdicts[4].crashes).toEqual([20, 40, 59.999, 60].map((s) => s * SECOND));
    expect(verdicts[4].decision).toEqual({ action: 'restart', backoffMs: 2_000 });
  });

  it('starts the backoff over once the earlier crashes have left the window', () => {
    const verdicts = crashAt([0, 1, 2, 200].map((s) => s * SECOND));
    expect(verdicts[3]).toEqual({ crashes: [200 * SECOND], decision: { action: 'restart', backoffMs: 250 } });
  });

  it('never waits longer than maxBackoffMs', () => {
    const policy: RestartPolicy = { maxCrashes: 100, windowMs: 60_000, firstBackoffMs: 250, maxBackoffMs: 8_000 };
    const verdicts = crashAt(Array.from({ length: 10 }, (_, i) => i * 100), policy);
    expect(verdicts.map((v) => (v.decision.action === 'restart' ? v.decision.backoffMs : -1))).toEqual([
      250, 500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000, 8_000, 8_000,
    ]);
  });

  it('does not change the history it is given', () => {
    const history = [1_000, 2_000];
    onCrash(history, 3_000);
    expect(history).toEqual([1_000, 2_000]);
  });
});
