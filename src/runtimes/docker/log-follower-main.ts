/**
 * The detached log follower behind `msx up --runtime docker --detach`: appends
 * the workspace's service container output to .msx/logs/<service>.ndjson until
 * SIGTERM (the next `up`, or `down`), or until the engine goes away.
 * With COLLECTOR_HOST it also runs msx's OTLP collector there (the workspace
 * network's gateway), so the containers' spans land in .msx/spans.
 * Usage: log-follower-main.js WORKSPACE_ROOT WORKSPACE_NAME [COLLECTOR_HOST]
 */
import { connectDocker } from '../../docker/connect-docker.js';
import { followWorkspace } from './follow-workspace.js';
import { ContainerLogFollower } from './log-follower.js';
import { startCollector } from '../../collector/collector.js';

const [root, workspace, collectorHost] = process.argv.slice(2);
const client = await connectDocker();
const follower = new ContainerLogFollower(client, root);
const collector = collectorHost
  ? await startCollector(root, { host: collectorHost }).catch((error: Error) => console.error(`${new Date().toISOString()} the span collector did not start: ${error.message}`))
  : undefined;

let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await Promise.all([follower.close(), collector?.close()]);
  process.exit(code);
};
process.on('SIGTERM', () => void stop(0)).on('SIGINT', () => void stop(0));

const events = await followWorkspace(client, workspace, follower);
events.on('end', () => void stop(0));
console.log(`${new Date().toISOString()} following the logs of workspace ${workspace}`);
