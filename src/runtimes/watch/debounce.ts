import { lstatSync } from 'node:fs';

/** A single save waits this long for company before it restarts anything (an editor's or git's writes come within ms; a loaded machine spreads a script's saves further). */
export const QUIET_MS = 150;
/** Once a second change came within the quiet period, it is a burst (an editor's save-all, a `git checkout`): wait longer. */
export const BURST_QUIET_MS = 300;
/** The kernel stamps a write with a coarse clock (a tick behind): a write this close before a run's cutoff counts as after it (one restart too many, never one too few). */
const CLOCK_MARGIN_MS = 20;

/**
 * When `path` changed: its inode's change time, the write itself (no `touch -d`
 * or `cp -p` sets it back), else now (a removed file). The watcher's event can
 * arrive long after the write on a loaded machine: a restart that began
 * between the two has read the file already.
 */
export function changedAt(path: string): number {
  try {
    return lstatSync(path).ctimeMs;
  } catch {
    return Date.now();
  }
}

/**
 * Calls `run` with the paths seen once the changes went quiet: `quietMs` after
 * a lone change, `burstQuietMs` after the last of a burst. A change while
 * `run` works gets one more run after it, never one beside it, unless `run`
 * says it read the files after that change anyway (it returns the time from
 * which it did: a restart that had not spawned yet). A change's time is the
 * file's own (`changedAt`), not the event's arrival.
 */
export function debounced(
  run: (paths: string[]) => Promise<number | void>,
  quietMs = QUIET_MS,
  burstQuietMs = BURST_QUIET_MS,
): { push(path: string, event?: string): void; idle(): Promise<void> } {
  let changed = new Map<string, number>();
  /** Made within the pending batch: removed again before it ran (an editor's or sed's temp file), it was never there. */
  let added = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const fire = () => {
    timer = undefined;
    if (running) return;
    const paths = [...changed.keys()];
    changed = new Map();
    added = new Set();
    if (paths.length === 0) return;
    running = run(paths)
      .then((readFrom) => {
        if (typeof readFrom === 'number') for (const [path, at] of changed) if (at < readFrom - CLOCK_MARGIN_MS) changed.delete(path);
      })
      .catch(() => undefined)
      .finally(() => {
        running = undefined;
        if (changed.size > 0 && !timer) timer = setTimeout(fire, quietMs);
      });
  };
  return {
    push(path, event) {
      const burst = timer !== undefined || changed.size > 0;
      if ((event === 'unlink' || event === 'unlinkDir') && added.delete(path)) {
        changed.delete(path);
        if (changed.size === 0 && !running && timer) timer = void clearTimeout(timer);
        return;
      }
      if (event === 'add' && !changed.has(path)) added.add(path);
      changed.set(path, changedAt(path));
      if (running) return; // its finally schedules the next run
      if (timer) clearTimeout(timer);
      timer = setTimeout(fire, burst ? burstQuietMs : quietMs);
    },
    /** Resolves once nothing is pending or running (close waits for it). */
    async idle() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      changed.clear();
      added.clear();
      await running;
    },
  };
}
