import { ensureServiceKey, mintServiceToken } from '../../src/state/service-key.js';

/**
 * `authorization` for a test calling a generated service's internal routes
 * directly, as a dependent service would: a token signed by the workspace's
 * key (`.msx/service-auth-key.json`, made by the first `msx up`).
 */
export async function serviceAuthorization(ws: string, workspaceName: string, audience: string): Promise<string> {
  return `Bearer ${await mintServiceToken(ensureServiceKey(ws, workspaceName), { subject: 'msx-test', audience })}`;
}
