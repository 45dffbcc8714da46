import { relative } from 'node:path';
import { UserError } from '../errors.js';
import { parseDurationFlag } from '../models/time.js';
import { msxFile } from '../state/paths.js';
import { mintServiceToken, readServiceKey } from '../state/service-key.js';
import { readWorkspace } from '../state/workspace-cache.js';

export interface ServiceTokenOptions {
  cwd: string;
  /** The service the token is for (its `aud`): a service of msx.yaml. */
  service: string;
  /** How long it is valid: `90`, `90s`, `10m` (default 10m, at most 24h). */
  ttl?: string;
}

export interface ServiceToken {
  token: string;
  service: string;
  /** The caller it names (`sub`): what the service's WARN and access lines show. */
  subject: string;
  issuer: string;
  expiresAt: string;
}

/** The `sub` of a token a developer asked for, so a service's logs tell it from a service's call. */
export const DEVELOPER_SUBJECT = 'msx-token';
const DEFAULT_TTL = '10m';
// A service token is short-lived by design; a day covers a working session.
const MAX_TTL_MS = 24 * 3_600_000;

/**
 * `msx token SERVICE`: a service token for SERVICE signed with the workspace's key
 * (.msx/service-auth-key.json), as a dependent service signs its calls, so that a developer
 * can call a service's internal routes under `msx up`. Never makes a key: the services
 * running would not know a new one.
 */
export async function serviceToken(options: ServiceTokenOptions): Promise<ServiceToken> {
  const workspace = await readWorkspace(options.cwd);
  if (!workspace.services.some((s) => s.name === options.service)) {
    const known = workspace.services.map((s) => s.name).join(', ') || 'none';
    throw new UserError(`unknown service "${options.service}" (known: ${known})`, { hint: 'name a service from msx.yaml; `msx ps` lists them', exit: 'notFound' });
  }
  const ttlMs = parseDurationFlag(options.ttl ?? DEFAULT_TTL, '--ttl');
  if (ttlMs < 1000 || ttlMs > MAX_TTL_MS) {
    throw new UserError(`--ttl "${options.ttl}" must be between 1s and 24h`, { hint: 'a service token is short-lived: ask for a new one when it expires' });
  }
  const keys = readServiceKey(workspace.root, workspace.name);
  if (!keys) {
    throw new UserError(`no service key yet: ${relative(workspace.root, msxFile.serviceAuthKey(workspace.root))} is made by the first \`msx up\``, {
      hint: 'run `msx up`, then `msx token` again',
      exit: 'notFound',
    });
  }
  const ttlSeconds = Math.round(ttlMs / 1000);
  const token = await mintServiceToken(keys, { subject: DEVELOPER_SUBJECT, audience: options.service, ttlSeconds });
  return { token, service: options.service, subject: DEVELOPER_SUBJECT, issuer: keys.issuer, expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString() };
}
