import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';
import { makeTwoServiceWorkspace, stopAndReap } from '../helpers/local-workspace.js';
import { serviceAuthorization } from '../helpers/service-token.js';
import { inotifyOf, localState, pgidOf, processesUnder, rssKb, statusOf, waitFor } from './local-watch-probes.js';

// msx up --detach --watch on real processes, edit after edit: in-flight requests, traces, and what 50 restarts leave.

const PORTS = { alpha: 42504, beta: 42505 };
const SLOW_MS = 2500;

describe('msx up --watch, edit after edit', () => {
  let root: string;
  let ws: string;
  let routes: string;
  let original = '';
  const seenPids = new Set<number>();
  let edits = 0;

  beforeAll(() => {
    root = makeTempDir();
    ws = makeTwoServiceWorkspace(root, 'cycles', PORTS);
    routes = join(ws, 'contexts', 'core', 'alpha', 'src', 'http', 'resource-routes.ts');
    // A route that answers after SLOW_MS: a request in flight while the file is saved.
    const opening = /(export function registerAlphaRoutes\([^)]*\): void \{\n)/;
    original = readFileSync(routes, 'utf8');
    expect(original).toMatch(opening);
    original = original.replace(opening, `$1  app.get("/slow", async () => { await new Promise((r) => setTimeout(r, ${SLOW_MS})); return { slow: "done" }; });\n`);
    writeFileSync(routes, original);
    expect(runCli(['up', '--detach', '--watch'], ws).code).toBe(0);
  }, 300_000);

  afterAll(() => {
    writeFileSync(routes, original);
    stopAndReap(ws, seenPids);
    removeDir(root);
  });

  /** One save of alpha's routes, then wait until the restart it causes is ready. */
  const editAlpha = async () => {
    edits += 1;
    writeFileSync(routes, `${original}\nexport const edit = ${edits};\n`);
    await waitFor(() => statusOf(ws, 'alpha')?.restarts === edits && statusOf(ws, 'alpha')?.state === 'ready', `alpha restarted for edit ${edits}`);
    const pid = statusOf(ws, 'alpha')?.pid;
    if (pid) seenPids.add(pid);
  };

  it('a request in flight when the file is saved completes; the next one reaches the new process', { timeout: 300_000 }, async () => {
    const before = statusOf(ws, 'alpha')!.pid!;
    const betaPid = statusOf(ws, 'beta')!.pid!;
    seenPids.add(before).add(betaPid);
    // Internal routes: called as a service would, with a token signed by the workspace key.
    const inFlight = fetch(`http://127.0.0.1:${PORTS.alpha}/slow`, { headers: { authorization: await serviceAuthorization(ws, 'cycles', 'alpha') } });
    await sleep(SLOW_MS / 3); // accepted and waiting in the handler
    await editAlpha();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ slow: 'done' });
    expect(statusOf(ws, 'alpha')!.pid).not.toBe(before);
    expect(statusOf(ws, 'beta')!.pid).toBe(betaPid);
  });

  it('a trace through the edited service shows every hop afterwards (msx logs --trace-id)', { timeout: 300_000 }, async () => {
    await editAlpha();
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const created = await fetch(`http://127.0.0.1:${PORTS.beta}/beta`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-0123456789abcdef-01`, authorization: await serviceAuthorization(ws, 'cycles', 'beta') },
      body: JSON.stringify({ name: 'after an edit' }),
    });
    expect(created.status).toBe(201);
    let trace: { tree: { service: string; children: { service: string }[] }[]; lines: { service: string }[] } | undefined;
    await waitFor(() => {
      const result = runCli(['logs', '--trace-id', traceId, '--json'], ws);
      trace = result.code === 0 ? JSON.parse(result.stdout) : undefined;
      return new Set(trace?.lines.map((l) => l.service)).size === 2;
    }, 'lines of both services under the trace id', 60);
    expect(trace!.tree.map((hop) => hop.service)).toEqual(['beta']);
    expect(trace!.tree[0].children.map((hop) => hop.service)).toEqual(['alpha']);
  });

  it('50 edit/restart cycles: no orphan, the watcher holds the same inotify watches, the supervisor RSS does not grow beyond noise', { timeout: 1_200_000 }, async () => {
    const supervisor = localState(ws)!.supervisorPid;
    const betaPid = statusOf(ws, 'beta')!.pid!;
    const figures: Record<number, { rssKb: number; instances: number; watches: number }> = {};
    for (let cycle = 1; cycle <= 50; cycle += 1) {
      await editAlpha();
      if (cycle === 10 || cycle === 50) figures[cycle] = { rssKb: rssKb(supervisor), ...inotifyOf(supervisor) };
    }
    console.log(`supervisor after cycle 10: ${JSON.stringify(figures[10])}; after cycle 50: ${JSON.stringify(figures[50])}`);
    expect(figures[50].instances).toBe(figures[10].instances);
    expect(figures[50].watches).toBe(figures[10].watches);
    // Generous: V8 grows its heap in steps; a leak per restart would add far more over 40 of them.
    expect(figures[50].rssKb).toBeLessThan(figures[10].rssKb * 1.5 + 20_000);
    expect(statusOf(ws, 'beta')!.pid).toBe(betaPid);
    // Under the workspace run the supervisor, the dashboard `up --detach` started, the services' process groups (a
    // service and its tsx/esbuild helper), and at most one more group per service: its warm spare. After down, nothing at all.
    const groups = new Set(localState(ws)!.services.map((s) => s.pid));
    const dashboardFile = join(ws, '.msx', 'dashboard.json');
    const dashboard = existsSync(dashboardFile) ? (JSON.parse(readFileSync(dashboardFile, 'utf8')) as { pid: number }).pid : undefined;
    const others = new Set(processesUnder(ws).filter((pid) => pid !== supervisor && pid !== dashboard).map(pgidOf).filter((g) => !groups.has(g)));
    expect(others.size, `process groups under the workspace besides the services: ${[...others].join(' ')}`).toBeLessThanOrEqual(groups.size);
    expect(runCli(['down'], ws).code).toBe(0);
    expect(processesUnder(ws)).toEqual([]);
  });
});
