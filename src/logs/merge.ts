import type { LogEntry } from './log-entry.js';

interface Cursor {
  batches: AsyncIterator<LogEntry[]>;
  batch: LogEntry[];
  index: number;
}

/**
 * A k-way merge of per-service streams into one, by time. Each stream is
 * already in order, so only the head of each is compared: memory holds one
 * batch per service whatever the size of the logs. The smallest head is found
 * by a linear look: k is the number of services, a few dozen at most, and
 * parsing each line costs far more than k comparisons. Equal times keep
 * stream order, then each stream's own order.
 */
export async function* mergeByTime(streams: AsyncIterable<LogEntry[]>[], batchSize = 512): AsyncGenerator<LogEntry[]> {
  const opened = streams.map((stream) => stream[Symbol.asyncIterator]());
  try {
    const cursors = (await Promise.all(opened.map(firstCursor))).filter((cursor): cursor is Cursor => cursor !== undefined);
    let out: LogEntry[] = [];
    while (cursors.length > 0) {
      const at = earliest(cursors);
      const cursor = cursors[at];
      out.push(cursor.batch[cursor.index++]);
      if (cursor.index === cursor.batch.length && !(await refill(cursor))) cursors.splice(at, 1);
      if (out.length >= batchSize) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  } finally {
    // A consumer that stops early (Ctrl-C, a closed pipe) closes every file still open.
    await Promise.all(opened.map((iterator) => iterator.return?.()));
  }
}

function earliest(cursors: Cursor[]): number {
  let best = 0;
  for (let i = 1; i < cursors.length; i++) {
    if (cursors[i].batch[cursors[i].index].time < cursors[best].batch[cursors[best].index].time) best = i;
  }
  return best;
}

async function firstCursor(batches: AsyncIterator<LogEntry[]>): Promise<Cursor | undefined> {
  const cursor: Cursor = { batches, batch: [], index: 0 };
  return (await refill(cursor)) ? cursor : undefined;
}

/** Loads the stream's next non-empty batch; false at its end. */
async function refill(cursor: Cursor): Promise<boolean> {
  for (;;) {
    const next = await cursor.batches.next();
    if (next.done) return false;
    if (next.value.length > 0) {
      cursor.batch = next.value;
      cursor.index = 0;
      return true;
    }
  }
}
