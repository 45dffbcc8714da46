#!/usr/bin/env node
// The trace index's cost to the log writer: TraceIndexWriter.add for 1,000,000
// lines (1,000 distinct trace ids, 350 bytes a line), on its own. Prints µs per line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceIndexWriter } from '../dist/state/trace-index.js';

const dir = mkdtempSync(join(tmpdir(), 'msx-tidx-'));
try {
  const ids = Array.from({ length: 1000 }, (_, i) => `${i.toString(16).padStart(8, '0')}4bf92f3577b34da6a3ce929b`);
  const writer = new TraceIndexWriter(join(dir, 'bench.tidx'), 0, { ino: 1, birthtimeMs: 1 });
  const start = performance.now();
  for (let i = 0; i < 1_000_000; i++) writer.add(350, ids[i % ids.length], false);
  writer.close();
  const ms = performance.now() - start;
  console.log(`trace index, 1M lines                  ${ms.toFixed(0).padStart(6)} ms = ${((ms * 1000) / 1e6).toFixed(2)} us/line added to the writer`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
