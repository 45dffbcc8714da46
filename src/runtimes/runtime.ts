import type { RuntimeName } from '../models/names.js';
import type { ServiceStatus } from '../models/service-status.js';
import type { WorkspaceData } from '../models/workspace.js';
import type { ServiceLogLine } from '../state/log-record.js';

export type { RuntimeName } from '../models/names.js';
export type { ServiceState, ServiceStatus } from '../models/service-status.js';
export type { ServiceLogLine } from '../state/log-record.js';

/**
 * One interface for every place services run (local processes, Docker,
 * Kubernetes). A runtime never prints: it reports through `RuntimeEvents`, and
 * src/output renders them.
 */
export interface Runtime {
  readonly name: RuntimeName;
  /** Starts every service in dependency order, each gated on its readiness probe. */
  up(workspace: WorkspaceData, options: UpOptions, events: RuntimeEvents): Promise<UpResult>;
  /** Stops and removes everything this runtime started for the workspace. */
  down(workspace: WorkspaceData, options: DownOptions): Promise<DownResult>;
  /** What runs now, one entry per declared service. */
  status(workspace: WorkspaceData): Promise<ServiceStatus[]>;
  /** `msx restart/stop/start`: acts on the running workspace's named services; only where the runtime has it. */
  control?(workspace: WorkspaceData, request: ControlRequest, events: RuntimeEvents): Promise<ServiceStatus[]>;
}

export type ControlAction = 'restart' | 'stop' | 'start';

export interface ControlRequest {
  action: ControlAction;
  /** The services to act on; for restart, none means all. */
  services: string[];
}

export interface UpOptions {
  /** Return once every service settled, leaving a supervisor running. */
  detach: boolean;
  /** How long each service may take to become ready. */
  readyTimeoutMs: number;
  /** Restart a service when a file under its folder changes (local runtime). */
  watch?: boolean;
  /** Only these services (and what they depend on); all when empty. */
  services: string[];
  /** Not started even when a selected service depends on them: those `msx stop` stopped (an msx.yaml reload while watching); a changed config recreates their container, left stopped. */
  leaveStopped?: ReadonlySet<string>;
}

export interface UpResult {
  services: ServiceStatus[];
  /** Resolves when the foreground run ends (Ctrl-C, SIGTERM, `msx down`). */
  done?: Promise<void>;
}

export interface DownOptions {
  /** Remove data too (Docker volumes); the local runtime keeps databases. */
  volumes: boolean;
}

export interface DownResult {
  stopped: string[];
  wasRunning: boolean;
  /** What a container runtime removed, by name. */
  removed?: { containers: string[]; networks: string[]; volumes: string[] };
}

export interface RuntimeEvents {
  state(status: ServiceStatus): void;
  log(line: ServiceLogLine): void;
  /** Something worth telling that is not a state change (an install, a restart reason). */
  note(service: string | undefined, message: string): void;
}
