import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';
import { inotifyOf, localState, processesUnder, statusOf, waitFor } from './local-watch-probes.js';

// msx up --watch over a workspace of 20 services, each with a node_modules of its own: what the one watcher costs.

const COUNT = 20;
const FIRST_PORT = 42520;
const FAKE_PACKAGES = 150;
const names = Array.from({ length: COUNT }, (_, i) => `s${String(i + 1).padStart(2, '0')}`);
const SERVER = `import { createServer } from "node:http";
createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ready"}'))
  .listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
`;

/** A service msx runs as `node dist/main.js` (dist newer than src) until src is edited, then by its `npm run dev`. */
function minimalService(dir: string): void {
  for (const sub of ['src/lib', 'dist', 'node_modules']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "private": true, "type": "module", "scripts": { "dev": "node src/main.js" } }\n');
  writeFileSync(join(dir, '.gitignore'), 'node_modules/\ndist/\n');
  writeFileSync(join(dir, 'src', 'main.js'), SERVER);
  for (const lib of ['a', 'b', 'c']) writeFileSync(join(dir, 'src', 'lib', `${lib}.ts`), `export const ${lib} = 1;\n`);
  writeFileSync(join(dir, 'dist', 'main.js'), SERVER);
  const later = new Date(Date.now() + 60_000);
  utimesSync(join(dir, 'dist', 'main.js'), later, later);
  // What a real node_modules looks like to a watcher that would descend into it: many folders and files.
  for (let i = 0; i < FAKE_PACKAGES; i += 1) {
    mkdirSync(join(dir, 'node_modules', `pkg-${i}`, 'lib'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', `pkg-${i}`, 'lib', 'index.js'), 'module.exports = 1;\n');
  }
}

describe('msx up --watch with 20 services', () => {
  let root: string;
  let ws: string;

  beforeAll(() => {
    root = makeTempDir();
    ws = join(root, 'scale');
    const services = names.map((name, i) => `  ${name}:\n    kind: rest\n    context: scale\n    path: contexts/scale/${name}\n    port: ${FIRST_PORT + i}\n`);
    mkdirSync(ws, { recursive: true });
    writeFileSync(join(ws, 'msx.yaml'), `version: 1\nname: scale\nservices:\n${services.join('')}`);
    for (const name of names) minimalService(join(ws, 'contexts', 'scale', name));
  });

  afterAll(() => {
    runCli(['down'], ws);
    for (const pid of processesUnder(ws)) process.kill(pid, 'SIGKILL');
    removeDir(root);
  });

  it('one inotify instance, a few watches per service (none in node_modules); an edit restarts that service alone', { timeout: 600_000 }, async () => {
    const up = runCli(['up', '--detach', '--watch'], ws);
    expect(up.code, up.stderr).toBe(0);
    const supervisor = localState(ws)!.supervisorPid;
    const { instances, watches } = inotifyOf(supervisor);
    console.log(`20 services: the supervisor holds ${instances} inotify instance(s) with ${watches} watches (each node_modules: ${FAKE_PACKAGES * 2 + 1} folders)`);
    expect(instances).toBe(1);
    // Per service: src, src/lib, its 4 files, package.json, .gitignore; plus msx.yaml. A watcher in node_modules would add 300 each.
    expect(watches).toBeLessThanOrEqual(COUNT * 12 + 5);

    const before = Object.fromEntries(names.map((name) => [name, statusOf(ws, name)!.pid]));
    writeFileSync(join(ws, 'contexts', 'scale', 's07', 'src', 'lib', 'a.ts'), 'export const a = 2;\n');
    await waitFor(() => statusOf(ws, 's07')?.restarts === 1 && statusOf(ws, 's07')?.state === 'ready', () => `s07 restarted: ${JSON.stringify(statusOf(ws, 's07'))}`);
    for (const name of names.filter((n) => n !== 's07')) expect(statusOf(ws, name)!.pid, name).toBe(before[name]);
    expect((await fetch(`http://127.0.0.1:${FIRST_PORT + 6}/health/ready`)).status).toBe(200);
    expect(inotifyOf(supervisor).watches).toBe(watches);

    expect(runCli(['down'], ws).code).toBe(0);
    expect(processesUnder(ws)).toEqual([]);
  });
});
