import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../errors.js';
import { acceptToken, authenticate, newToken } from './auth.js';
import { serveAsset } from './assets.js';
import { route } from './routes.js';

export interface DashboardOptions {
  /** The workspace folder (or one below it). */
  cwd: string;
  /** 0 or absent: a free port. */
  port?: number;
  /** A fixed token (tests); else a fresh random one. */
  token?: string;
}

export interface RunningDashboard {
  /** `http://127.0.0.1:PORT/?token=…`: the one address that opens it. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The dashboard's web server, on 127.0.0.1 only. Every page, fragment, asset
 * and API needs the token (from the URL once, then the HttpOnly cookie); without
 * it the answer is 401. It reads what the CLI reads (.msx files and the running
 * supervisor), so it serves a workspace started with --detach as well.
 */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const token = options.token ?? newToken();
  let port = options.port ?? 0;
  const server = createServer((req, res) => void handle(req, res, options.cwd, token, port));
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new UserError(`port ${port} is already in use on 127.0.0.1`, { hint: 'pass another --port, or none for a free one', exit: 'conflict' }) : error),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        // Live log streams never end by themselves: close their sockets too.
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, cwd: string, token: string, port: number): Promise<void> {
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('content-security-policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:");
  res.setHeader('referrer-policy', 'no-referrer');
  const auth = authenticate(req, url, token, port);
  if (auth === 'wrong-host') return text(res, 403, 'msx dashboard: wrong Host header\n');
  if (auth === 'denied') return text(res, 401, 'msx dashboard: open the URL with ?token=… that `msx dashboard` printed\n');
  if (auth === 'token-in-url') return acceptToken(res, url, token, port);
  try {
    if (url.pathname.startsWith('/assets/') && (await serveAsset(url.pathname.slice('/assets/'.length), res))) return;
    if (!(await route({ req, res, url, cwd }))) text(res, 404, `msx dashboard: no page ${url.pathname}\n`);
  } catch (error) {
    if (res.headersSent) return void res.end();
    const user = error instanceof UserError;
    text(res, user ? 400 : 500, user ? `${error.message}${error.hint ? `\n${error.hint}` : ''}\n` : `msx dashboard: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

export function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}
