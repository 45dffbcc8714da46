import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { DockerClient, ImageCommand } from '../../docker/docker-client.js';
import { LABEL } from './labels.js';

/** msx's runner as built (dev-runner.ts); missing when msx runs from source, and then no container gets it. */
const RUNNER_SOURCE = fileURLToPath(new URL('./dev-runner.js', import.meta.url));
/** Where it lands in a dev container: outside the service's folder, so no sync or image touches it. */
export const RUNNER_MOUNT = '/opt/msx';
const RUNNER_FILE = 'dev-runner.mjs';
const RUNNER_PATH = `${RUNNER_MOUNT}/${RUNNER_FILE}`;
/** The runner's state inside a container without the host folder (MSX_DEV_RUNNER_STATE unset: the runner's default). */
const RUNNER_STATE = '/tmp/msx-dev-runner.json';
const STATE_FILE = 'state.json';
/** The signal the runner restarts its child on (SIGUSR1 is node's inspector's). */
const RESTART_SIGNAL = 'SIGUSR2';
const POLL_MS = 10;

/** How the runner started the new process: its warm spare, a spare still loading, or cold (no spare yet, or none allowed). */
export type SpareUse = 'warm' | 'loading' | 'none';

interface RunnerState {
  generation: number;
  spare: SpareUse;
  /** The service's process, as the container's pid namespace numbers it. */
  pid?: number;
}

/** The runner's Cmd and its version label for a dev container, or undefined when the image's command is not one it can run. */
export interface DevRunner {
  command: string[];
  version: string;
  /** The image's WORKDIR and USER: where its sources are, and who reads them (source-mounts.ts). */
  workingDir: string;
  user: string;
}

let source: Buffer | undefined;
function runnerSource(): Buffer | undefined {
  if (!source && existsSync(RUNNER_SOURCE)) source = readFileSync(RUNNER_SOURCE);
  return source;
}

/**
 * The image's command with the runner in front (`node /opt/msx/dev-runner.mjs node --import tsx src/main.ts`), when it is
 * node with tsx on a .ts entry, as `msx new service` writes the dev stage; anything else runs as the image says
 * (its restarts stay container restarts). No change to a Dockerfile: the container's Cmd is msx's to set.
 */
export function devRunnerFor(image: ImageCommand | undefined): DevRunner | undefined {
  const code = runnerSource();
  if (!code || !image) return undefined;
  const { cmd, entrypoint } = image;
  const nodeEntrypoint = entrypoint.length === 0 || (entrypoint.length === 1 && entrypoint[0] === 'docker-entrypoint.sh');
  const isNode = cmd[0] === 'node' || cmd[0]?.endsWith('/node');
  const tsx = cmd.some((arg, i) => arg === '--import=tsx' || (arg === '--import' && cmd[i + 1] === 'tsx'));
  if (!nodeEntrypoint || !isNode || !tsx || !/\.[cm]?ts$/.test(cmd.at(-1) ?? '')) return undefined;
  return { command: ['node', RUNNER_PATH, ...cmd], version: createHash('sha256').update(code).digest('hex').slice(0, 12), workingDir: image.workingDir, user: image.user };
}

/**
 * Puts the runner where a created container runs it from, before it starts: into its bind-mounted host folder
 * (the state a previous container left there removed), else into the container (putArchive: works on a remote
 * engine too).
 */
export async function installDevRunner(client: DockerClient, id: string, labels: Record<string, string> | undefined): Promise<void> {
  const code = runnerSource();
  if (!code) return;
  const dir = labels?.[LABEL.runnerDir];
  if (dir) {
    mkdirSync(dir, { recursive: true });
    // The service's user (1000 in the generated images) writes its state here.
    chmodSync(dir, 0o777);
    rmSync(join(dir, STATE_FILE), { force: true });
    writeFileSync(join(dir, RUNNER_FILE), code, { mode: 0o644 });
    return;
  }
  const { pack } = await import('tar-stream');
  const tar = pack();
  tar.entry({ name: RUNNER_PATH.slice(1), mode: 0o644 }, code);
  tar.finalize();
  await client.putArchive(id, '/', tar as unknown as NodeJS.ReadableStream);
}

/** Does this container run msx's runner? (An older container does not: its restarts are container restarts.) */
export function hasDevRunner(labels: Record<string, string> | undefined): boolean {
  return Boolean(labels?.[LABEL.devRunner]);
}

export async function readRunnerState(client: DockerClient, id: string, labels: Record<string, string> | undefined): Promise<RunnerState | undefined> {
  const dir = labels?.[LABEL.runnerDir];
  const text = dir ? readHostFile(join(dir, STATE_FILE)) : await client.readContainerFile(id, RUNNER_STATE).catch(() => undefined);
  try {
    return text ? (JSON.parse(text) as RunnerState) : undefined;
  } catch {
    return undefined; // mid-write is impossible (it renames), so a stranger's file: no warm path
  }
}

/**
 * Asks the runner to restart its child and waits until it did: the old one exited (its drain, at most
 * `graceSeconds`) and the new one started. Only then does a readiness probe mean the new code. `ended`: the
 * container stopped meanwhile (the caller's readiness wait says why); `silent`: the runner did not answer.
 */
export async function restartByRunner(client: DockerClient, id: string, labels: Record<string, string> | undefined, generation: number, graceSeconds: number): Promise<SpareUse | 'ended' | 'silent'> {
  await client.signalContainer(id, RESTART_SIGNAL);
  const deadline = Date.now() + (graceSeconds + 5) * 1000;
  let nextInspect = Date.now() + 1000;
  while (Date.now() < deadline) {
    const state = await readRunnerState(client, id, labels);
    if (state && state.generation > generation) return state.spare;
    if (Date.now() >= nextInspect) {
      nextInspect = Date.now() + 1000;
      if (!(await client.inspectContainer(id)).running) return 'ended';
    }
    await sleep(POLL_MS);
  }
  return 'silent';
}

function readHostFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // not written yet: the runner has not started
  }
}

/**
 * The host pid of the service's own process, for msx ps: in a dev container whose runner folder is on the host,
 * the runner (the container's main process, `details.pid`) has the service and its spare as children; the one whose
 * pid in the container's namespace is the state's `pid` is the service. Anything unreadable: the main process's pid.
 */
export function servicePid(details: { pid: number; labels?: Record<string, string> }): number {
  const dir = details.labels?.[LABEL.runnerDir];
  if (!dir || !details.pid) return details.pid;
  try {
    const inner = (JSON.parse(readHostFile(join(dir, STATE_FILE)) ?? '{}') as Partial<RunnerState>).pid;
    if (inner === undefined) return details.pid;
    const children = readFileSync(`/proc/${details.pid}/task/${details.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    for (const child of children) {
      // NSpid: the pid in each namespace the process is in, the host's first and its own last.
      const nspid = /^NSpid:\s+(.+)$/m.exec(readFileSync(`/proc/${child}/status`, 'utf8'))?.[1].trim().split(/\s+/).map(Number);
      if (nspid?.at(-1) === inner) return child;
    }
  } catch {
    // not started yet, or gone meanwhile
  }
  return details.pid;
}
