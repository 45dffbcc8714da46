import { dashboardWorkspace } from '../services/dashboard-data.js';
import { forgetDashboard, recordDashboard, untilWorkspaceStops } from '../services/dashboard-process.js';
import { startDashboard, type RunningDashboard } from './server.js';

export interface ServeOptions {
  cwd: string;
  port?: number;
  /** Stop once the workspace stops (the dashboard `msx up --detach` starts); else only on Ctrl-C / SIGTERM. */
  untilDown?: boolean;
}

export interface ServedDashboard extends RunningDashboard {
  /** Resolves once it stopped serving (Ctrl-C, SIGTERM, or with untilDown the workspace stopped). */
  done: Promise<void>;
}

/** `msx dashboard` and `msx up`: the server started on the workspace, recorded in .msx/dashboard.json while it serves. */
export async function serveDashboard(options: ServeOptions): Promise<ServedDashboard> {
  const root = await dashboardWorkspace(options.cwd); // no workspace here: the loader's one-line error, before any port is taken
  const dashboard = await startDashboard({ cwd: options.cwd, port: options.port });
  recordDashboard(root, dashboard.url, options.untilDown === true);
  const stopping = new AbortController();
  const stop = () => stopping.abort();
  process.once('SIGINT', stop).once('SIGTERM', stop);
  const waiting = options.untilDown ? untilWorkspaceStops(root, stopping.signal) : new Promise<void>((resolve) => stopping.signal.addEventListener('abort', () => resolve()));
  const done = waiting.then(async () => {
    process.off('SIGINT', stop).off('SIGTERM', stop);
    await dashboard.close();
    forgetDashboard(root);
  });
  const close = async () => {
    stopping.abort();
    await done;
  };
  return { ...dashboard, close, done };
}
