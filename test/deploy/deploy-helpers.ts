import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MSX_BIN, type CliResult } from '../helpers/cli.js';

/**
 * runCli (test/helpers/cli.ts) blocks this process with spawnSync; the fake
 * Kubernetes API runs in this process, so the built CLI is run asynchronously
 * here, with the same environment rules.
 */
export function runCliAsync(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const { NODE_ENV: _testEnv, ...userEnv } = process.env;
  const child = spawn(process.execPath, [MSX_BIN, ...args], {
    cwd,
    env: { ...userEnv, NO_COLOR: '1', FORCE_COLOR: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

export interface ServiceDef {
  name: string;
  kind: 'rest' | 'grpc' | 'consumer';
  port: number;
  extra?: string;
}

export const SHOP_SERVICES: ServiceDef[] = [
  { name: 'stock', kind: 'grpc', port: 3001 },
  { name: 'orders', kind: 'rest', port: 3000, extra: '    dependsOn: [stock]\n    config: { PAYMENT_TIMEOUT_MS: 2000 }\n    secrets: [STRIPE_KEY]\n' },
  { name: 'mailer', kind: 'consumer', port: 3002, extra: '    subscribes: [order.placed]\n' },
];

/** The staging environment the deploy tests use; `extra` is appended inside it. */
export function stagingEnv(extra = ''): string {
  return `  staging:\n    runtime: kubernetes\n    registry: 127.0.0.1:5000/shop\n    namespace: shop\n    replicas: 2\n${extra}`;
}

/**
 * A workspace with msx.yaml and a small folder per service (a Dockerfile and
 * a source file: enough for content-hash tags), without the npm packages a
 * generated service has: deploy reads only msx.yaml and these folders.
 */
export function writeWorkspace(root: string, services: ServiceDef[] = SHOP_SERVICES, environments = stagingEnv()): void {
  const body = services
    .map((s) => `  ${s.name}:\n    kind: ${s.kind}\n    context: c-${s.name}\n    path: contexts/c/${s.name}\n    port: ${s.port}\n${s.extra ?? ''}`)
    .join('');
  writeFileSync(join(root, 'msx.yaml'), `version: 1\nname: shop\nservices:\n${body}environments:\n  local:\n    runtime: local\n${environments}`);
  for (const service of services) writeServiceFolder(root, service.name);
}

export function writeServiceFolder(root: string, name: string, source = `console.log("${name}");\n`): void {
  const dir = join(root, 'contexts', 'c', name);
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY src /src\n');
  writeFileSync(join(dir, 'src', 'main.js'), source);
}
