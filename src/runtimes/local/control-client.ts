import { createConnection } from 'node:net';
import { createInterface } from 'node:readline';
import { errorFromJson, UserError } from '../../errors.js';
import type { WorkspaceData } from '../../models/workspace.js';
import { socketPathOf } from './control-socket.js';
import type { RuntimeEvents, ServiceStatus } from '../runtime.js';
import type { ControlMessage, ControlRequest } from './control-protocol.js';

/** Sends one request to the running supervisor's control socket; its state changes arrive as events meanwhile. */
export async function sendControl(workspace: WorkspaceData, request: ControlRequest, events: RuntimeEvents): Promise<ServiceStatus[]> {
  const socket = createConnection(socketPathOf(workspace.root));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve).once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') reject(notRunning());
      else reject(error);
    });
  });
  socket.write(`${JSON.stringify(request)}\n`);
  for await (const line of createInterface({ input: socket })) {
    const message = JSON.parse(line) as ControlMessage;
    if (message.type === 'state') events.state(message.status);
    else if (message.type === 'note') events.note(message.service, message.message);
    else if (message.type === 'error') throw errorFromJson(message.error);
    else return message.services;
  }
  throw new UserError('the msx supervisor went away before it answered', { hint: 'see `msx ps` and .msx/supervisor.log', exit: 'notFound' });
}

function notRunning(): UserError {
  return new UserError('no msx supervisor runs for this workspace', { hint: 'start one with `msx up --detach` (or `msx up` in another terminal)', exit: 'notFound' });
}
