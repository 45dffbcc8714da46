import { join } from 'node:path';

/**
 * Everything msx keeps in a workspace lives under `.msx/` (git-ignored by the
 * generated .gitignore). Each file has one name, here.
 */
export const stateDir = (root: string) => join(root, '.msx');
export const logsDir = (root: string) => join(root, '.msx', 'logs');
/** `.msx/spans/`: the span store the collector writes (span-store.ts). */
export const spansDir = (root: string) => join(root, '.msx', 'spans');
/** `.msx/spans/spans-<N>.ndjson` and its partial trace summaries `spans-<N>.sum` (span-store.ts). */
export const spanSegmentPath = (dir: string, segment: number) => join(dir, `spans-${String(segment).padStart(6, '0')}.ndjson`);
export const spanSummaryPath = (dir: string, segment: number) => join(dir, `spans-${String(segment).padStart(6, '0')}.sum`);
export const SPAN_SEGMENT_PATTERN = /^spans-(\d{6,})\.ndjson$/;

export const LOG_SUFFIX = '.ndjson';
export const INDEX_SUFFIX = '.tidx';

/** `.msx/logs/<service>.ndjson`: one log record per line (log-record.ts). */
export const serviceLogPath = (dir: string, service: string) => join(dir, `${service}${LOG_SUFFIX}`);
/** `.msx/logs/<service>.tidx`: the trace index beside it (trace-index.ts). */
export const traceIndexPath = (dir: string, service: string) => join(dir, `${service}${INDEX_SUFFIX}`);

export const msxFile = {
  /** The local supervisor's published state (local-state.ts). */
  localState: (root: string) => join(root, '.msx', 'local-state.json'),
  /** Why the detached supervisor gave up (an npm failure, an unreachable broker), for the parent to show. */
  supervisorError: (root: string) => join(root, '.msx', 'supervisor-error.json'),
  /** The detached supervisor's own output. */
  supervisorLog: (root: string) => join(root, '.msx', 'supervisor.log'),
  /** What `msx up --detach` hands to the supervisor it spawns. */
  supervisorInput: (root: string, pid: number) => join(root, '.msx', `supervisor-input-${pid}.json`),
  /** The running supervisor's control socket: `msx restart/stop/start` (runtimes/local/control-server.ts). */
  supervisorSocket: (root: string) => join(root, '.msx', 'supervisor.sock'),
  /** The dashboard `msx up --detach` started (url, pid), so a second up prints the same one (services/dashboard-process.ts). */
  dashboard: (root: string) => join(root, '.msx', 'dashboard.json'),
  dashboardLog: (root: string) => join(root, '.msx', 'dashboard.log'),
  /** The validated msx.yaml (workspace-cache.ts). */
  workspaceCache: (root: string) => join(root, '.msx', 'workspace.json'),
  /** Written by `msx up --runtime docker`, removed by its down: ps and down find the runtime that runs without a flag. */
  dockerUp: (root: string) => join(root, '.msx', 'docker-up.json'),
  /** Where the docker runtime's log follower goes on from (runtimes/docker/log-cursor.ts). */
  dockerLogCursor: (root: string) => join(root, '.msx', 'docker-log-cursor.json'),
  dockerFollowerPid: (root: string) => join(root, '.msx', 'docker-log-follower.pid'),
  dockerFollowerLog: (root: string) => join(root, '.msx', 'docker-log-follower.log'),
  /** The running collector's address (src/collector): where services send OTLP, for ps, logs and the dashboard. */
  collector: (root: string) => join(root, '.msx', 'collector.json'),
  /** The workspace's service-token signing key pair, 0600, made once (service-key.ts). */
  serviceAuthKey: (root: string) => join(root, '.msx', 'service-auth-key.json'),
  /** What msx itself did to each docker container (restarts, why it last stopped): runtimes/docker/reload-record.ts. */
  dockerReloads: (root: string) => join(root, '.msx', 'docker-reloads.json'),
  /** A dev container's runner folder on the host, bind-mounted at /opt/msx (a local Linux engine): the runner and its state. */
  devRunnerDir: (root: string, service: string) => join(root, '.msx', 'dev-runner', service),
  devRunnerDirs: (root: string) => join(root, '.msx', 'dev-runner'),
  /** Held while msx acts on one service's container (a watch update, msx restart): the next one waits (service-lock.ts). */
  serviceLock: (root: string, service: string) => join(root, '.msx', 'locks', `${service}.lock`),
  /** What `msx up --runtime docker --detach --watch` hands to the follower that watches. */
  dockerWatchInput: (root: string) => join(root, '.msx', 'docker-watch-input.json'),
} as const;
