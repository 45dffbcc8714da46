import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../helpers/processes.js';

/**
 * A real Distribution registry (Debian's docker-registry, installed by
 * scripts/setup-registry.sh) on a free 127.0.0.1 port, with htpasswd auth so
 * a push proves the user's Docker credentials were sent. Docker treats
 * 127.0.0.0/8 as an insecure registry, so plain http is enough.
 */
export interface LocalRegistry {
  host: string;
  user: string;
  password: string;
  tags(repository: string): Promise<string[]>;
  stop(): Promise<void>;
}

const USER = 'msx';
const PASSWORD = 'push-secret-123';
// bcrypt (cost 5) of PASSWORD: the registry's htpasswd accepts bcrypt only, and Node has no bcrypt.
const HTPASSWD = `${USER}:$2b$05$bZDV6iaQ.jetetWJJpCzfe3kl/wQiN7SsKn8Mgae/1IALU50ad/Ce\n`;

/** Why a registry cannot be started here, or undefined when it can. */
export function registryUnavailable(): string | undefined {
  const found = spawnSync('docker-registry', ['--version'], { encoding: 'utf8' });
  return found.status === 0 ? undefined : 'docker-registry is not installed (run scripts/setup-registry.sh)';
}

export async function startLocalRegistry(dir: string): Promise<LocalRegistry> {
  const port = await freePort();
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'htpasswd'), HTPASSWD);
  writeFileSync(join(dir, 'config.yml'), [
    'version: 0.1',
    'log: { level: warn }',
    `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} } }`,
    `http: { addr: "127.0.0.1:${port}" }`,
    `auth: { htpasswd: { realm: msx-test, path: ${join(dir, 'htpasswd')} } }`,
    '',
  ].join('\n'));
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const host = `127.0.0.1:${port}`;
  await waitForRegistry(host, child, () => stderr);
  const auth = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  return {
    host,
    user: USER,
    password: PASSWORD,
    tags: async (repository) => {
      const response = await fetch(`http://${host}/v2/${repository}/tags/list`, { headers: { authorization: auth } });
      return response.ok ? ((await response.json()) as { tags: string[] | null }).tags ?? [] : [];
    },
    stop: () => stopProcess(child),
  };
}

async function waitForRegistry(host: string, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode}: ${stderr()}`);
    // 401 is an answer: auth is on, so /v2/ wants credentials.
    const status = await fetch(`http://${host}/v2/`).then((r) => r.status, () => 0);
    if (status === 200 || status === 401) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`docker-registry did not answer on ${host}: ${stderr()}`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

