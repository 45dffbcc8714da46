/**
 * The detached supervisor behind `msx up --detach`: a lean entry point (no
 * oclif, no YAML or zod: the parent hands over the validated workspace as
 * JSON) that runs the services until SIGTERM from `msx down`. Its own output
 * goes to .msx/supervisor.log; service output to .msx/logs/.
 */
import { readFileSync, rmSync } from 'node:fs';
import type { WorkspaceData } from '../../models/workspace.js';
import type { RuntimeEvents, UpOptions } from '../runtime.js';
import { publishing } from './local-runtime.js';
import { errorToJson } from '../../errors.js';
import { removeState, writeSupervisorError } from '../../state/local-state.js';
import { selectServices } from '../select-services.js';
import { Supervisor } from './supervisor.js';
import { serveControl } from './control-server.js';
import { watchServices } from './watch.js';
import { withServiceAuth } from '../../state/service-key.js';

const [inputFile] = process.argv.slice(2);
const { workspace, options } = JSON.parse(readFileSync(inputFile, 'utf8')) as { workspace: WorkspaceData; options: UpOptions };
rmSync(inputFile, { force: true });
const quiet: RuntimeEvents = {
  state: (status) => console.log(`${new Date().toISOString()} ${status.service}: ${status.state}${status.detail ? ` (${status.detail})` : ''}`),
  log: () => undefined,
  note: (service, message) => console.log(`${new Date().toISOString()} ${service ?? 'msx'}: ${message}`),
};
const events = publishing(workspace, quiet);
const supervisor = new Supervisor(withServiceAuth(workspace), options, events);

let stopping = false;
let control: { close(): Promise<void> } | undefined;
let watcher: { close(): Promise<void> } | undefined;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  clearInterval(keepAlive);
  await Promise.all([control?.close(), watcher?.close()]);
  await supervisor.stop();
  removeState(workspace.root);
  process.exit(0);
};
process.on('SIGTERM', () => void stop()).on('SIGINT', () => void stop());

// Stay up until `msx down`, even when no service is left running, so ps and down see one owner.
const keepAlive = setInterval(() => undefined, 1 << 30);
try {
  // The parent checked the ports of these services just before it spawned this process.
  const services = selectServices(workspace, options.services);
  await supervisor.start(services);
  control = await serveControl(workspace, supervisor);
  if (options.watch) watcher = await watchServices(services, supervisor, events);
  events.settle();
  if (options.watch) void supervisor.prewarmFirstEdits(services.map((s) => s.name));
} catch (error) {
  console.error(`supervisor: ${(error as Error).message}`);
  writeSupervisorError(workspace.root, errorToJson(error));
  await supervisor.stop();
  removeState(workspace.root);
  process.exit(1);
}
