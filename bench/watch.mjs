// Time from a file write to the first 200 of the new code, for one generated REST service:
// msx up --detach --watch beside a bare restart by hand (kill, node --import tsx src/main.ts, poll).
// Usage: node bench/watch.mjs [edits]  (run by bench/watch.sh). Prints medians; asserts nothing.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const EDITS = Number(process.argv[2] ?? 15);
const PORT = 41378;
const MSX = join(process.cwd(), 'bin', 'run.js');
const work = mkdtempSync(join(tmpdir(), 'msx-watch-bench-'));
const ws = join(work, 'wb');
const msx = (args, cwd = ws) => execFileSync(process.execPath, [MSX, ...args], { cwd, stdio: 'pipe' });
const dir = join(ws, 'contexts', 'bench', 'svc');
const routes = join(dir, 'src', 'http', 'resource-routes.ts');
const LIST = 'async (request) => repository.list(request.query),';

msx(['init', 'wb'], work);
msx(['new', 'service', 'svc', '--kind', 'rest', '--context', 'bench', '--port', String(PORT)]);
execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: dir, stdio: 'ignore' });
const original = readFileSync(routes, 'utf8');

/** Writes edit n (the list answers with header x-edit: n) and waits for the first 200 that carries it. */
async function edit(n, afterWrite = async () => undefined) {
  const start = performance.now();
  writeFileSync(routes, original.replace(LIST, `async (request, reply) => { reply.header('x-edit', '${n}'); return repository.list(request.query); },`));
  await afterWrite();
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${PORT}/svc`);
      if (response.status === 200 && response.headers.get('x-edit') === String(n)) return performance.now() - start;
    } catch {
      // not listening yet
    }
    await sleep(5);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
try {
  msx(['up', '--detach', '--watch']);
  await edit(-1); // warm-up: tsx's cache
  results['msx up --watch'] = [];
  for (let i = 0; i < EDITS; i += 1) results['msx up --watch'].push(await edit(i));
  msx(['down']);

  let child;
  const startBare = () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: dir, stdio: 'ignore', detached: true });
  };
  const restartBare = async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid, 'SIGTERM');
    await exited;
    startBare();
  };
  startBare();
  await edit(-2, restartBare);
  results['bare restart (kill, node --import tsx)'] = [];
  for (let i = 0; i < EDITS; i += 1) results['bare restart (kill, node --import tsx)'].push(await edit(100 + i, restartBare));
  process.kill(-child.pid, 'SIGTERM');
} finally {
  try { msx(['down']); } catch { /* already down */ }
  rmSync(work, { recursive: true, force: true });
}
for (const [name, xs] of Object.entries(results)) console.log(`${name.padEnd(40)} median ${Math.round(median(xs))} ms over ${xs.length} edits (min ${Math.round(Math.min(...xs))}, max ${Math.round(Math.max(...xs))})`);
const [a, b] = Object.values(results).map(median);
if (a && b) console.log(`msx / bare: ${(a / b).toFixed(2)}x`);
