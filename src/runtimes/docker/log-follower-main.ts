/**
 * The detached log follower behind `msx up --runtime docker --detach`: appends
 * the workspace's service container output to .msx/logs/<service>.ndjson until
 * SIGTERM (the next `up`, or `down`), or until the engine goes away.
 * Usage: log-follower-main.js WORKSPACE_ROOT WORKSPACE_NAME
 */
import { connectDocker } from '../../docker/connect-docker.js';
import { followWorkspace } from './follow-workspace.js';
import { ContainerLogFollower } from './log-follower.js';

const [root, workspace] = process.argv.slice(2);
const client = await connectDocker();
const follower = new ContainerLogFollower(client, root);

let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await follower.close();
  process.exit(code);
};
process.on('SIGTERM', () => void stop(0)).on('SIGINT', () => void stop(0));

const events = await followWorkspace(client, workspace, follower);
events.on('end', () => void stop(0));
console.log(`${new Date().toISOString()} following the logs of workspace ${workspace}`);
