import { createHash, generateKeyPairSync } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import type { ServiceAuthKeys } from '../models/wiring.js';
import type { WorkspaceData } from '../models/workspace.js';
import { msxFile, stateDir } from './paths.js';

/** What `.msx/service-auth-key.json` holds: one Ed25519 pair as JWKs (what jose imports), named by its thumbprint. */
interface KeyFile {
  version: 1;
  alg: 'EdDSA';
  kid: string;
  createdAt: string;
  publicJwk: Record<string, string>;
  privateJwk: Record<string, string>;
}

/**
 * The workspace's service-token signing key: read from `.msx/`, or made once
 * (Ed25519, mode 0600). Made under a temporary name and hard-linked into place,
 * so two `msx up` at once end with one key, and no reader sees half a file.
 */
export function ensureServiceKey(root: string, issuer: string): ServiceAuthKeys {
  const file = msxFile.serviceAuthKey(root);
  const existing = readKeyFile(file);
  if (existing) return keysOf(existing, issuer);
  mkdirSync(stateDir(root), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temp, `${JSON.stringify(newKeyFile(), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, file);
  } catch (error) {
    // Another msx made it first: theirs is the key.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temp, { force: true });
  }
  return keysOf(readKeyFile(file)!, issuer);
}

/** The workspace's service-token key if a `msx up` made it; undefined before (nothing is made here). */
export function readServiceKey(root: string, issuer: string): ServiceAuthKeys | undefined {
  const existing = readKeyFile(msxFile.serviceAuthKey(root));
  return existing ? keysOf(existing, issuer) : undefined;
}

function newKeyFile(): KeyFile {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = publicKey.export({ format: 'jwk' }) as Record<string, string>;
  const kid = thumbprint(pub);
  return {
    version: 1,
    alg: 'EdDSA',
    kid,
    createdAt: new Date().toISOString(),
    publicJwk: { ...pub, kid, alg: 'EdDSA', use: 'sig' },
    privateJwk: { ...(privateKey.export({ format: 'jwk' }) as Record<string, string>), kid, alg: 'EdDSA', use: 'sig' },
  };
}

/** RFC 7638: SHA-256 over the required members in lexical order. */
function thumbprint(jwk: Record<string, string>): string {
  return createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x })).digest('base64url');
}

function readKeyFile(file: string): KeyFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  // Someone loosened it (a copy, a restore): a private key stays readable by its owner only.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const parsed = parseKeyFile(text);
  if (!parsed) {
    throw new UserError(`${file} is not a service key msx wrote`, {
      hint: 'remove it and run msx again: a new key is made, and every service gets it on its next start',
    });
  }
  return parsed;
}

function parseKeyFile(text: string): KeyFile | undefined {
  try {
    const data = JSON.parse(text) as Partial<KeyFile>;
    const ok = data.version === 1 && typeof data.kid === 'string' && data.publicJwk?.crv === 'Ed25519' && typeof data.privateJwk?.d === 'string';
    return ok ? (data as KeyFile) : undefined;
  } catch {
    return undefined;
  }
}

function keysOf(file: KeyFile, issuer: string): ServiceAuthKeys {
  return { issuer, kid: file.kid, publicKey: JSON.stringify(file.publicJwk), privateKey: JSON.stringify(file.privateJwk) };
}

/** The workspace a runtime starts services from: with its service key, made now if it is the first run. */
export function withServiceAuth<W extends WorkspaceData>(workspace: W): W {
  return { ...workspace, serviceAuth: ensureServiceKey(workspace.root, workspace.name) };
}

/**
 * A service token signed with the workspace key, as a generated service signs one
 * (templates/README.md): for msx's own calls (the demo's request) and tests. jose is loaded here only.
 */
export async function mintServiceToken(keys: ServiceAuthKeys, claims: { subject: string; audience: string; ttlSeconds?: number }): Promise<string> {
  const { SignJWT, importJWK } = await import('jose');
  const key = await importJWK(JSON.parse(keys.privateKey) as Record<string, string>, 'EdDSA');
  return new SignJWT({})
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: keys.kid })
    .setIssuer(keys.issuer)
    .setSubject(claims.subject)
    .setAudience(claims.audience)
    .setIssuedAt()
    .setExpirationTime(`${claims.ttlSeconds ?? 300}s`)
    .sign(key);
}
