import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RegistryAuth } from './docker-client.js';

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** `127.0.0.1:5000/shop/orders:abc` → `127.0.0.1:5000`; an image without a registry host is on Docker Hub. */
export function registryHost(image: string): string {
  const first = image.split('/')[0];
  const isHost = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return isHost ? first : 'docker.io';
}

/** `https://index.docker.io/v1/` and `docker.io` are the same registry in config.json keys. */
function normalizeHost(key: string): string {
  const host = key.replace(/^https?:\/\//, '').split('/')[0];
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}

/**
 * Credentials for a registry from the user's Docker config (DOCKER_CONFIG or
 * ~/.docker/config.json), as `docker push` finds them: a credential helper for
 * that registry, else the default credential store, else inline `auths`.
 * Undefined when the user has none (an anonymous push, fine for a local registry).
 */
export async function registryAuth(host: string, configDir = process.env.DOCKER_CONFIG ?? join(homedir(), '.docker')): Promise<RegistryAuth | undefined> {
  const config = await readConfig(join(configDir, 'config.json'));
  const helper = Object.entries(config.credHelpers ?? {}).find(([key]) => normalizeHost(key) === host)?.[1] ?? config.credsStore;
  if (helper) {
    const fromHelper = await helperAuth(helper, host);
    if (fromHelper) return fromHelper;
  }
  const entry = Object.entries(config.auths ?? {}).find(([key]) => normalizeHost(key) === host)?.[1];
  if (!entry) return undefined;
  if (entry.identitytoken) return { serveraddress: host, identitytoken: entry.identitytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return { serveraddress: host, username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return entry.username ? { serveraddress: host, username: entry.username, password: entry.password } : undefined;
}

async function readConfig(file: string): Promise<DockerConfig> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DockerConfig;
  } catch {
    return {};
  }
}

/** `docker-credential-<helper> get` reads the registry on stdin and prints {Username, Secret}. */
function helperAuth(helper: string, host: string): Promise<RegistryAuth | undefined> {
  return new Promise((resolve) => {
    const child = execFile(`docker-credential-${helper}`, ['get'], { timeout: 10_000 }, (error, stdout) => {
      if (error) return resolve(undefined);
      try {
        const { Username, Secret } = JSON.parse(stdout) as { Username: string; Secret: string };
        // A helper returns the user "<token>" for identity tokens (docker/cli credentials).
        resolve(Username === '<token>' ? { serveraddress: host, identitytoken: Secret } : { serveraddress: host, username: Username, password: Secret });
      } catch {
        resolve(undefined);
      }
    });
    child.stdin?.end(host);
  });
}
