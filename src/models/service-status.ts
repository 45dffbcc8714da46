/** What a runtime reports of one service: the same shape on every runtime, in the state file and in `msx ps --json`. */
export type ServiceState =
  | 'pending'
  | 'installing'
  | 'starting'
  | 'ready'
  | 'restarting'
  | 'failed'
  | 'blocked'
  | 'stopped'
  /** Still running, but what started it is gone (a supervisor killed hard): `msx down` or `msx up` stops it. */
  | 'orphaned';

export interface ServiceStatus {
  service: string;
  state: ServiceState;
  pid?: number;
  port?: number;
  url?: string;
  restarts: number;
  /** ISO time the current process started. */
  startedAt?: string;
  /** Why its last process ended (a crash's exit code or signal, `msx stop`, a restart). */
  lastExit?: string;
  /** Why it is failed or blocked, with the next step. */
  detail?: string;
}
