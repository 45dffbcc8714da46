import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { errorToJson, UserError } from '../../errors.js';
import { dependencyOrder } from '../../models/graph.js';
import type { WorkspaceData } from '../../models/workspace.js';
import { chooseSocketPath, forgetSocketPath } from './control-socket.js';
import type { ControlMessage, ControlRequest } from './control-protocol.js';
import type { Supervisor } from './supervisor.js';

/**
 * Serves `msx restart/stop/start` on .msx/supervisor.sock (control-socket.ts: or a short path) for as long as the
 * supervisor runs (foreground or detached). Requests run one after another, so
 * two commands (or a watcher and a command) never race on one service.
 */
export async function serveControl(workspace: WorkspaceData, supervisor: Supervisor): Promise<{ close(): Promise<void> }> {
  const path = chooseSocketPath(workspace.root);
  // A socket file left by a supervisor killed hard answers nobody: it only blocks listen.
  rmSync(path, { force: true });
  let queue = Promise.resolve();
  const server: Server = createServer((socket) => {
    createInterface({ input: socket }).once('line', (line) => {
      queue = queue.then(() => handle(supervisor, line, socket)).catch(() => undefined);
    });
    socket.on('error', () => undefined); // the client went away: nothing to answer
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(path, () => resolve()));
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        forgetSocketPath(workspace.root, path);
      }),
  };
}

async function handle(supervisor: Supervisor, line: string, socket: Socket): Promise<void> {
  const send = (message: ControlMessage) => socket.writable && socket.write(`${JSON.stringify(message)}\n`);
  const unsubscribe = supervisor.subscribe((status) => send({ type: 'state', status }));
  try {
    const request = JSON.parse(line) as ControlRequest;
    const names = namesFor(supervisor.current, request);
    await runControl(supervisor, request, names);
    const statuses = supervisor.snapshot();
    send({ type: 'done', services: names.map((name) => statuses.find((s) => s.service === name)!).filter(Boolean) });
  } catch (error) {
    send({ type: 'error', error: errorToJson(error) });
  } finally {
    unsubscribe();
    socket.end();
  }
}

/** The named services in dependency order (all of them for a bare restart); an unknown name is refused before anything stops. */
function namesFor(workspace: WorkspaceData, request: ControlRequest): string[] {
  const known = workspace.services.map((s) => s.name);
  const unknown = request.services.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new UserError(`no service named ${unknown.map((n) => `"${n}"`).join(', ')} in this workspace`, {
      hint: `the services are: ${known.join(', ')}`,
      exit: 'notFound',
    });
  }
  const wanted = request.services.length > 0 ? request.services : known;
  return dependencyOrder(workspace.services).map((s) => s.name).filter((name) => wanted.includes(name));
}

async function runControl(supervisor: Supervisor, request: ControlRequest, names: string[]): Promise<void> {
  if (request.action === 'stop') {
    // Dependents first, as msx down does.
    for (const name of [...names].reverse()) await supervisor.stopOne(name, 'stopped by msx stop');
    return;
  }
  for (const name of names) await supervisor.startOne(name, request.action === 'restart');
}
