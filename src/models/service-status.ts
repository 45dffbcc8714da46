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

/**
 * Where a service answers on this machine: `http://` for those that speak HTTP, `grpc://` for a
 * gRPC service (an http:// link to an HTTP/2-only port answers nothing a browser or curl shows).
 */
export function localUrl(service: { kind: string; port?: number }): string | undefined {
  if (service.port === undefined) return undefined;
  return `${service.kind === 'grpc' ? 'grpc' : 'http'}://127.0.0.1:${service.port}`;
}
