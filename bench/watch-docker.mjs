// Time from a file write to the first 200 of the new code, for one generated REST service, in one run:
// msx up --runtime docker --detach --watch (sync into the container + restart) beside msx up --detach --watch
// (local) and a bare restart by hand (kill, node --import tsx src/main.ts, poll); then the docker rebuild for
// a source edit with the dependency layer cached (msx up --runtime docker --detach after an edit: plan, build, recreate,
// ready, timed by its lines), beside the same edit built alone by msx's pipeline (BuildKit and, with DOCKER_BUILDKIT=0,
// the legacy builder, through the API; BuildKit's own step times printed), by BuildKit for a copy of the service that
// pins TypeScript 5.9.3 (the JavaScript compiler generated services had before 7.0.2) and by `docker build`; and the same for the dev image `up --watch` runs (msx up --runtime docker --detach --watch after an
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

/** msx up --runtime docker --detach after an edit, with when its lines came: plan until "building image", build until "recreating". */
async function timedUp() {
  const start = performance.now();
  const child = spawn(process.execPath, [MSX, 'up', '--runtime', 'docker', '--detach', '--timeout', '300'], { cwd: ws, env: { ...process.env, NO_COLOR: '1' } });
  const at = {};
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    for (const [key, pattern] of [['building', /building image/], ['recreating', /recreating its container/]]) if (at[key] === undefined && pattern.test(stderr)) at[key] = performance.now() - start;
  });
  child.stdout.resume();
  const code = await new Promise((resolve) => child.on('exit', resolve));
  const total = performance.now() - start;
  if (code !== 0 || at.building === undefined || at.recreating === undefined) throw new Error(`msx up after an edit: exit ${code}, no rebuild + recreate seen\n${stderr}`);
  return { total, plan: at.building, build: at.recreating - at.building, recreate: total - at.recreating };
}

/** The build msx's pipeline makes (content hash, tar of the context files, the engine's build), alone; BuildKit's steps kept for the breakdown. */
async function pipelineBuild(client, tag, from = dir) {
  const start = performance.now();
  const image = contentTag(`msx/${NAME}_pipeline`, { service: 'svc', dir: from });
  const context = pack(from, { entries: image.files });
  const output = await client.buildImage({ tag: `${image.tag}${tag}`, labels: { 'dev.msx.workspace': NAME }, context });
  const ms = performance.now() - start;
  if (output.error) throw new Error(`build: ${output.error}`);
  if (from === dir) for (const step of output.steps ?? []) if (step.ms !== undefined && !step.cached) (stepTimes[step.name.replace(/\s+/g, ' ').slice(0, 60)] ??= []).push(step.ms);
  return ms;
}

function cliBuild(tag) {
  const start = performance.now();
  const built = spawnSync('docker', ['build', '-q', '-t', `msx/${NAME}_cli:${tag}`, '--label', `dev.msx.workspace=${NAME}`, dir], { encoding: 'utf8', env: { ...process.env, DOCKER_BUILDKIT: '0' } });
  if (built.status !== 0) throw new Error(`docker build: ${built.stderr}`);
  return performance.now() - start;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
const stepTimes = {};
const { connectDocker } = await import(new URL('../dist/docker/connect-docker.js', import.meta.url).href);
const { contentTag } = await import(new URL('../dist/docker/image-tag.js', import.meta.url).href);
const { pack } = await import('tar-fs');
const buildkitClient = await connectDocker();
process.env.DOCKER_BUILDKIT = '0'; // read by the client's first build: this one uses the legacy builder
const legacyClient = await connectDocker();
await legacyClient.builder();
delete process.env.DOCKER_BUILDKIT;
if ((await buildkitClient.builder()) !== 'buildkit') console.log('note: this engine gets the legacy builder from msx (no BuildKit): both pipeline series use it');
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

  // The production image: its first build installs the dependencies; each edit after reuses that layer. Beside it,
  // in the same run, each edit built alone: by msx's image pipeline (BuildKit through the API, and the legacy builder
  // through the API with DOCKER_BUILDKIT=0) and by the docker CLI (`docker build`; DOCKER_BUILDKIT=0: no buildx here).
  msx(['up', '--runtime', 'docker', '--detach', '--timeout', '300']);
  cliBuild('warm');
  // The same service with the TypeScript generated services pinned before 7.0.2 (5.9.3, the JavaScript compiler):
  // its own copy and lockfile, its dependency layer built once here, then each edit built alone beside the others.
  const dir59 = join(work, 'svc-ts59');
  execFileSync('cp', ['-r', dir, dir59]);
  rmSync(join(dir59, 'node_modules'), { recursive: true, force: true });
  const manifest = JSON.parse(readFileSync(join(dir59, 'package.json'), 'utf8'));
  manifest.devDependencies.typescript = '5.9.3';
  writeFileSync(join(dir59, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: dir59, stdio: 'ignore' });
  const routes59 = join(dir59, 'src', 'http', 'resource-routes.ts');
  await pipelineBuild(buildkitClient, 'ts59warm', dir59); // the legacy builder's cache is its own: its first build installs the dependencies too
  const REBUILD = 'docker: rebuild + recreate for a source edit';
  for (const key of [REBUILD, '  of which: plan (up to "building image")', '  of which: build', '  of which: recreate + ready', 'build alone: msx pipeline, BuildKit (API)', 'build alone: BuildKit, TypeScript 5.9.3', 'build alone: msx pipeline, legacy (API)', 'build alone: docker build CLI (legacy)']) results[key] = [];
  for (let i = 0; i < REBUILDS; i += 1) {
    writeFileSync(routes, `${original}\n// rebuild ${i}\n`);
    const up = await timedUp();
    for (const [key, ms] of [[REBUILD, up.total], ['  of which: plan (up to "building image")', up.plan], ['  of which: build', up.build], ['  of which: recreate + ready', up.recreate]]) results[key].push(ms);
    writeFileSync(routes, `${original}\n// buildkit ${i}\n`);
    results['build alone: msx pipeline, BuildKit (API)'].push(await pipelineBuild(buildkitClient, `bk${i}`));
    writeFileSync(routes59, `${original}\n// ts59 ${i}\n`);
    results['build alone: BuildKit, TypeScript 5.9.3'].push(await pipelineBuild(buildkitClient, `ts59${i}`, dir59));
    writeFileSync(routes, `${original}\n// legacy ${i}\n`);
    results['build alone: msx pipeline, legacy (API)'].push(await pipelineBuild(legacyClient, `lg${i}`));
    writeFileSync(routes, `${original}\n// cli ${i}\n`);
    results['build alone: docker build CLI (legacy)'].push(cliBuild(`cli${i}`));
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
  console.log(`${name.padEnd(50)} median ${Math.round(median(xs))} ms over ${xs.length} (min ${Math.round(Math.min(...xs))}, max ${Math.round(Math.max(...xs))})${spare ? `; ${spare}` : ''}`);
}
const [docker, local, bare] = Object.values(results).map(median);
if (docker && local) console.log(`docker sync / local: ${(docker / local).toFixed(2)}x (goal ≤ 1.5x)`);
if (local && bare) console.log(`local / bare: ${(local / bare).toFixed(2)}x`);
const rebuild = results['docker: rebuild + recreate for a source edit'];
if (rebuild?.length) console.log(`docker rebuild for a source edit: ${(median(rebuild) / 1000).toFixed(1)} s (goal < 5 s)`);
const cli = results['build alone: docker build CLI (legacy)'];
if (rebuild?.length && cli?.length) console.log(`msx rebuild + recreate / the same build by the CLI: ${(median(rebuild) / median(cli)).toFixed(2)}x; msx BuildKit build alone / CLI: ${(median(results['build alone: msx pipeline, BuildKit (API)']) / median(cli)).toFixed(2)}x`);
if (Object.keys(stepTimes).length > 0) console.log('BuildKit steps not cached (median ms, the build-alone series):');
for (const [name, xs] of Object.entries(stepTimes)) console.log(`  ${name.padEnd(62)} ${Math.round(median(xs))}`);
const dev = results['docker: dev image rebuild + start for a source edit'];
if (dev?.length) console.log(`docker dev image rebuild for a source edit: ${(median(dev) / 1000).toFixed(1)} s (goal < 5 s)`);
console.log(`load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (2 cores)`);
