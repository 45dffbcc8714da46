// Time from a file write to the first 200 of the new code, for one generated REST service, three ways in one run:
// msx up --detach --watch; a bare restart by hand (kill, node --import tsx src/main.ts, poll); tsx watch alone.
// Usage: node bench/watch.mjs [edits] [think-ms]  (run by bench/watch.sh). Prints medians; asserts nothing.
// Between two edits each way waits think-ms (default 1500): a developer reads the answer before the next save.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const EDITS = Number(process.argv[2] ?? 15);
const THINK_MS = Number(process.argv[3] ?? 1500);
const PORT = 42590;
const MSX = join(process.cwd(), 'bin', 'run.js');
const work = mkdtempSync(join(tmpdir(), 'msx-watch-bench-'));
const ws = join(work, 'wb');
const msx = (args, cwd = ws) => execFileSync(process.execPath, [MSX, ...args], { cwd, stdio: 'pipe' });
const dir = join(ws, 'contexts', 'bench', 'svc');
const routes = join(dir, 'src', 'http', 'resource-routes.ts');
const LIST = 'async (request) => repository.list(request.query, request.trace),';

msx(['init', 'wb'], work);
msx(['new', 'service', 'svc', '--kind', 'rest', '--context', 'bench', '--port', String(PORT)]);
// /svc is an internal route: called with a service token signed by the workspace key (the one msx up hands the
// service); the bare and tsx-watch runs get the same public key, so all three check the token alike.
const { ensureServiceKey, mintServiceToken } = await import(new URL('../dist/state/service-key.js', import.meta.url).href);
const keys = ensureServiceKey(ws, 'wb');
const authorization = `Bearer ${await mintServiceToken(keys, { subject: 'bench', audience: 'svc', ttlSeconds: 3600 })}`;
const env = { ...process.env, PORT: String(PORT), SERVICE_NAME: 'svc', LOG_FORMAT: 'json', HOST: '127.0.0.1', SERVICE_AUTH_PUBLIC_KEY: keys.publicKey, SERVICE_AUTH_ISSUER: keys.issuer };
execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: dir, stdio: 'ignore' });
const original = readFileSync(routes, 'utf8');

/** Writes edit n (the list answers with header x-edit: n) and waits for the first 200 that carries it. */
async function edit(n, afterWrite = async () => undefined) {
  await sleep(THINK_MS);
  const start = performance.now();
  writeFileSync(routes, original.replace(LIST, `async (request, reply) => { reply.header('x-edit', '${n}'); return repository.list(request.query, request.trace); },`));
  await afterWrite();
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${PORT}/svc`, { headers: { authorization } });
      if (response.status === 200 && response.headers.get('x-edit') === String(n)) return performance.now() - start;
    } catch {
      // not listening yet
    }
    await sleep(5);
  }
}

async function measure(name, base, afterWrite) {
  await edit(base - 1, afterWrite); // warm-up: tsx's cache, and msx's first spare
  results[name] = [];
  for (let i = 0; i < EDITS; i += 1) results[name].push(await edit(base + i, afterWrite));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
let child;
const stopChild = async () => {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid, 'SIGTERM');
  await exited;
};
let reported = [];
try {
  msx(['up', '--detach', '--watch']);
  const logStart = readFileSync(join(ws, '.msx', 'supervisor.log'), 'utf8').length;
  await measure('msx up --watch', 1000);
  reported = [...readFileSync(join(ws, '.msx', 'supervisor.log'), 'utf8').slice(logStart).matchAll(/restarted in (\d+) ms/g)].map((m) => Number(m[1])).slice(1);
  msx(['down']);

  const startBare = () => (child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: dir, env, stdio: 'ignore', detached: true }));
  startBare();
  await measure('bare restart (kill, node --import tsx)', 2000, async () => {
    await stopChild();
    startBare();
  });
  await stopChild();

  child = spawn('npx', ['tsx', 'watch', 'src/main.ts'], { cwd: dir, env, stdio: 'ignore', detached: true });
  await measure('tsx watch src/main.ts', 3000);
  await stopChild();
} finally {
  if (child?.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  try { msx(['down']); } catch { /* already down */ }
  writeFileSync(routes, original);
  rmSync(work, { recursive: true, force: true });
}
for (const [name, xs] of Object.entries(results)) console.log(`${name.padEnd(40)} median ${Math.round(median(xs))} ms over ${xs.length} edits (min ${Math.round(Math.min(...xs))}, max ${Math.round(Math.max(...xs))})`);
if (reported.length) console.log(`${'  msx: its own "restarted in" line'.padEnd(40)} median ${median(reported)} ms (debounce, stop, start, ready)`);
const [msxMs, bareMs, tsxMs] = Object.values(results).map(median);
if (msxMs && bareMs) console.log(`msx / bare restart: ${(msxMs / bareMs).toFixed(2)}x${tsxMs ? `   msx / tsx watch: ${(msxMs / tsxMs).toFixed(2)}x` : ''}`);
