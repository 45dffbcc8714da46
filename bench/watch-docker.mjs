// Time from a file write to the first 200 of the new code, for one generated REST service, in one run:
// msx up --runtime docker --detach --watch (sync into the container + restart) beside msx up --detach --watch
// (local) and a bare restart by hand (kill, node --import tsx src/main.ts, poll); then the docker rebuild for
// a source edit with the dependency layer cached (msx up --runtime docker --detach after an edit: build, recreate,
// ready), and the same for the dev image `up --watch` runs (msx up --runtime docker --detach --watch after an
// edit, the workspace down: build, create, ready). The measuring is bench/watch.mjs's. BENCH_PORT sets the port. Usage: node bench/watch-docker.mjs [edits] [rebuilds] [think-ms]
// (run by bench/watch-docker.sh). Prints medians; asserts nothing. Removes every container/image it made.
// Between two edits each watch series waits think-ms (default 1500, as bench/watch.mjs): a developer reads the answer
// before the next save, and both runtimes' warm spares are ready by then; each series says how many of its restarts
// its spare took (the restart lines), so the docker figure is compared with the warm local one, not a cold one.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const EDITS = Number(process.argv[2] ?? 10);
const REBUILDS = Number(process.argv[3] ?? 3);
const THINK_MS = Number(process.argv[4] ?? 1500);
const PORT = Number(process.env.BENCH_PORT ?? 42650);
const MSX = join(process.cwd(), 'bin', 'run.js');
const NAME = `wbd${process.pid}`;
const since = new Date();
const work = mkdtempSync(join(tmpdir(), 'msx-watch-docker-bench-'));
const ws = join(work, NAME);
const msx = (args, cwd = ws) => execFileSync(process.execPath, [MSX, ...args], { cwd, stdio: 'pipe', env: { ...process.env, NO_COLOR: '1' } });
const dir = join(ws, 'contexts', 'bench', 'svc');
const routes = join(dir, 'src', 'http', 'resource-routes.ts');
const LIST = 'async (request) => repository.list(request.query, request.trace),';

msx(['init', NAME], work);
msx(['new', 'service', 'svc', '--kind', 'rest', '--context', 'bench', '--port', String(PORT)]);
// /svc is an internal route: called with a service token signed by the workspace key (the one msx up hands the
// service); the bare and tsx-watch runs get the same public key, so all three check the token alike.
const { ensureServiceKey, mintServiceToken } = await import(new URL('../dist/state/service-key.js', import.meta.url).href);
const keys = ensureServiceKey(ws, NAME);
const authorization = `Bearer ${await mintServiceToken(keys, { subject: 'bench', audience: 'svc', ttlSeconds: 3600 })}`;
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

async function series(label, first, run) {
  await run(first); // warm-up: tsx's cache
  results[label] = [];
  for (let i = 1; i <= EDITS; i += 1) results[label].push(await run(first + i));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
const spares = {};
/** The restart lines of the series' last EDITS edits in a log (the warm-up's excluded): how many a warm spare took. */
function warmCount(log) {
  const lines = readFileSync(log, 'utf8').split('\n').filter((line) => / changed → .*restarted in /.test(line)).slice(-EDITS);
  return `${lines.filter((line) => line.includes('warm spare')).length} of ${lines.length} restarts by a warm spare`;
}
try {
  msx(['up', '--runtime', 'docker', '--detach', '--watch', '--timeout', '300']);
  await series('docker: sync + restart (msx up --watch)', 1000, (n) => edit(n));
  spares.docker = warmCount(join(ws, '.msx', 'docker-log-follower.log'));
  msx(['down', '--runtime', 'docker']);

  msx(['up', '--detach', '--watch']);
  await series('local: restart (msx up --watch)', 2000, (n) => edit(n));
  spares.local = warmCount(join(ws, '.msx', 'supervisor.log'));
  msx(['down']);

  let child;
  const startBare = () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: dir, stdio: 'ignore', detached: true, env: { ...process.env, SERVICE_AUTH_PUBLIC_KEY: keys.publicKey, SERVICE_AUTH_ISSUER: keys.issuer } });
  };
  const restartBare = async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid, 'SIGTERM');
    await exited;
    startBare();
  };
  startBare();
  await series('bare restart (kill, node --import tsx)', 3000, (n) => edit(n, restartBare));
  process.kill(-child.pid, 'SIGTERM');

  // The production image: its first build installs the dependencies; each edit after reuses that layer.
  msx(['up', '--runtime', 'docker', '--detach', '--timeout', '300']);
  results['docker: rebuild + recreate for a source edit'] = [];
  for (let i = 0; i < REBUILDS; i += 1) {
    writeFileSync(routes, `${original}\n// rebuild ${i}\n`);
    const start = performance.now();
    const up = spawnSync(process.execPath, [MSX, 'up', '--runtime', 'docker', '--detach', '--timeout', '300'], { cwd: ws, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    results['docker: rebuild + recreate for a source edit'].push(performance.now() - start);
    if (up.status !== 0 || !/building image/.test(up.stderr)) throw new Error(`msx up after an edit: exit ${up.status}, no rebuild seen\n${up.stderr}`);
  }
  msx(['down', '--runtime', 'docker']);

  // The dev image `up --watch` runs (no compile step): after a source edit with the workspace down, its build
  // (the dependency layer cached: the deps stage is the production build's), create, start and first ready.
  results['docker: dev image rebuild + start for a source edit'] = [];
  for (let i = 0; i < REBUILDS; i += 1) {
    writeFileSync(routes, `${original}\n// dev rebuild ${i}\n`);
    const start = performance.now();
    const up = spawnSync(process.execPath, [MSX, 'up', '--runtime', 'docker', '--detach', '--watch', '--timeout', '300'], { cwd: ws, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    results['docker: dev image rebuild + start for a source edit'].push(performance.now() - start);
    if (up.status !== 0 || !/building its dev image/.test(up.stderr)) throw new Error(`msx up --watch after an edit: exit ${up.status}, no rebuild seen\n${up.stderr}`);
    msx(['down', '--runtime', 'docker']);
  }
} finally {
  for (const args of [['down', '--runtime', 'docker'], ['down']]) {
    try { msx(args); } catch { /* already down */ }
  }
  const images = spawnSync('docker', ['images', '-q', '--filter', `label=dev.msx.workspace=${NAME}`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  if (images.length > 0) spawnSync('docker', ['rmi', '-f', ...images]);
  // The legacy builder's untagged stage images of this run's builds.
  for (const id of spawnSync('docker', ['images', '-q', '--filter', 'dangling=true'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean)) {
    const created = spawnSync('docker', ['image', 'inspect', '--format', '{{.Created}}', id], { encoding: 'utf8' }).stdout.trim();
    if (Date.parse(created) >= since.getTime()) spawnSync('docker', ['rmi', id]);
  }
  rmSync(work, { recursive: true, force: true });
}
const spareOf = (name) => (name.startsWith('docker: sync') ? spares.docker : name.startsWith('local:') ? spares.local : undefined);
for (const [name, xs] of Object.entries(results)) {
  const spare = spareOf(name);
  console.log(`${name.padEnd(46)} median ${Math.round(median(xs))} ms over ${xs.length} (min ${Math.round(Math.min(...xs))}, max ${Math.round(Math.max(...xs))})${spare ? `; ${spare}` : ''}`);
}
const [docker, local, bare] = Object.values(results).map(median);
if (docker && local) console.log(`docker sync / local: ${(docker / local).toFixed(2)}x (goal ≤ 1.5x)`);
if (local && bare) console.log(`local / bare: ${(local / bare).toFixed(2)}x`);
const rebuild = results['docker: rebuild + recreate for a source edit'];
if (rebuild?.length) console.log(`docker rebuild for a source edit: ${(median(rebuild) / 1000).toFixed(1)} s (goal < 5 s)`);
const dev = results['docker: dev image rebuild + start for a source edit'];
if (dev?.length) console.log(`docker dev image rebuild for a source edit: ${(median(dev) / 1000).toFixed(1)} s (goal < 5 s)`);
console.log(`load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (2 cores)`);
