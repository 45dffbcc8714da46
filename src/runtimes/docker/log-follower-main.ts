/**
 * The detached log follower behind `msx up --runtime docker --detach`: appends
 * the workspace's service container output to .msx/logs/<service>.ndjson until
 * SIGTERM (the next `up`, or `down`), or until the engine goes away.
 * With COLLECTOR_HOST (not empty) it also runs msx's OTLP collector there (the
 * workspace network's gateway), so the containers' spans land in .msx/spans.
 * With a WATCH_INPUT (`up --detach --watch`) it also runs the watcher: edits
 * synced into the containers, or their images rebuilt (detached-watch.ts).
 * Usage: log-follower-main.js WORKSPACE_ROOT WORKSPACE_NAME [COLLECTOR_HOST|''] [WATCH_INPUT]
 */
import { connectDocker } from '../../docker/connect-docker.js';
import { watchDetached } from './detached-watch.js';
import { followWorkspace } from './follow-workspace.js';
import { ContainerLogFollower } from './log-follower.js';
import { startCollector } from '../../collector/collector.js';

const [root, workspace, collectorArg, watchArg] = process.argv.slice(2);
const collectorHost = collectorArg || undefined;
const watchInput = watchArg || undefined;
const client = await connectDocker();
const follower = new ContainerLogFollower(client, root);
const collector = collectorHost
  ? await startCollector(root, { host: collectorHost, onLogs: (lines) => lines.forEach((line) => follower.write(line)), isService: (name) => follower.follows(name) }).catch((error: Error) => console.error(`${new Date().toISOString()} the span collector did not start: ${error.message}`))
  : undefined;

let stopping = false;
let watcher: { close(): Promise<void> } | undefined;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await watcher?.close();
  await collector?.close();
  await follower.close();
  process.exit(code);
};
process.on('SIGTERM', () => void stop(0)).on('SIGINT', () => void stop(0));

const events = await followWorkspace(client, workspace, follower);
events.on('end', () => void stop(0));
console.log(`${new Date().toISOString()} following the logs of workspace ${workspace}`);
if (watchInput) watcher = await watchDetached(client, watchInput);
