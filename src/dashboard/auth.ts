import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A fresh token per dashboard, as Jupyter does: 32 url-safe characters. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Cookies are not kept apart by port, so each dashboard names its own. */
export const cookieName = (port: number) => `msx_dashboard_${port}`;

export type AuthResult = 'ok' | 'token-in-url' | 'denied' | 'wrong-host';

/**
 * The token from `?token=` (then set as an HttpOnly cookie and dropped from the
 * URL) or from the cookie; nothing else opens a page or an API. The Host must be
 * the dashboard's own address, so a page from elsewhere cannot reach it by DNS rebinding.
 */
export function authenticate(req: IncomingMessage, url: URL, token: string, port: number): AuthResult {
  const host = req.headers.host ?? '';
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return 'wrong-host';
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null && same(fromUrl, token)) return 'token-in-url';
  const fromCookie = cookieOf(req.headers.cookie, cookieName(port));
  return fromCookie !== undefined && same(fromCookie, token) ? 'ok' : 'denied';
}

/** The token taken once: a cookie for the rest of the session, and the same page without it in the address bar. */
export function acceptToken(res: ServerResponse, url: URL, token: string, port: number): void {
  url.searchParams.delete('token');
  const rest = url.searchParams.size > 0 ? `?${url.searchParams}` : '';
  res.writeHead(302, {
    'set-cookie': `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
    location: `${url.pathname}${rest}`,
    'cache-control': 'no-store',
  });
  res.end();
}

function same(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
