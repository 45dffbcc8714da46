import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, snapshotDir } from '../helpers/cli.js';
import { freePort } from '../helpers/processes.js';
import { startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api-server.js';
import { runCliAsync, writeWorkspace } from './deploy-helpers.js';

// Secret values reach msx only through the process env (a user's shell, CI);
// none may appear in any manifest, file or output msx produces.
const SECRET_ENV = { STRIPE_KEY: 'sk_live_DO_NOT_LEAK_4242', AMQP_URL: 'amqp://leaky:hunter2-DO-NOT-LEAK@mq:5672' };
const SECRET_VALUES = Object.values(SECRET_ENV);

let fake: FakeKubeApi;
let root: string;
let kubeconfig: string;
let closedPort: number;

const msx = (args: string[], env: NodeJS.ProcessEnv = {}) => runCliAsync(['deploy', ...args], root, { KUBECONFIG: kubeconfig, ...SECRET_ENV, ...env });

beforeAll(async () => {
  fake = await startFakeKubeApi();
  root = makeTempDir('msx-deploy-cli-');
  writeWorkspace(root);
  kubeconfig = fake.writeKubeconfig(join(root, 'kubeconfig'));
  closedPort = await freePort();
});

afterAll(async () => {
  await fake.close();
  removeDir(root);
});

describe('--dry-run and --out', () => {
  it('--dry-run prints every manifest as YAML, with secret references and no secret value', async () => {
    const result = await msx(['--env', 'staging', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout.match(/^kind: /gm)).toHaveLength(8);
    expect(result.stdout).toContain('secretKeyRef:');
    expect(result.stdout).not.toContain('&a');
    for (const value of SECRET_VALUES) expect(result.stdout + result.stderr).not.toContain(value);
    expect(fake.requests).toEqual([]);
  });

  it('--out writes one file per object, in an order kubectl apply -f applies correctly', async () => {
    const result = await msx(['--env', 'staging', '--out', 'k8s', '--create-namespace']);
    expect(result.code).toBe(0);
    const files = readdirSync(join(root, 'k8s')).filter((f) => f.endsWith('.yaml')).sort();
    expect(files[0]).toBe('00-namespace-shop.yaml');
    expect(files).toContain('10-configmap-orders-config.yaml');
    expect(files).toContain('30-deployment-stock.yaml');
    expect(files).toHaveLength(9);
    // Nothing else but the list of what msx wrote, which kubectl apply -f skips (not .json/.yaml/.yml).
    expect(readdirSync(join(root, 'k8s')).filter((f) => !f.endsWith('.yaml'))).toEqual(['.msx-manifests']);
    const all = files.map((f) => readFileSync(join(root, 'k8s', f), 'utf8')).join('\n');
    for (const value of SECRET_VALUES) expect(all + result.stdout).not.toContain(value);
    expect(result.stdout).toContain('kubectl apply -f');
  });

  it('--json gives the images and the manifests mode', async () => {
    const result = await msx(['--env', 'staging', '--dry-run', '--json']);
    const json = JSON.parse(result.stdout);
    expect(json.mode).toBe('dry-run');
    expect(json.images.map((i: { image: string }) => i.image)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^127\.0\.0\.1:5000\/shop\/orders:[0-9a-f]{12}$/)]),
    );
  });
});

interface BadInput {
  name: string;
  args: string[];
  /** A kubeconfig other than the fake's: a file name under the workspace, or an absolute path. */
  kubeconfig?: string;
  message: RegExp;
  exit: number;
}

// Input problems are found before anything is written: these run with --out and
// must leave no output folder. Cluster problems show on the apply path.
const badInput: BadInput[] = [
  { name: 'unknown --env', args: ['--env', 'prod', '--out', 'bad-out'], message: /unknown environment "prod" \(msx\.yaml has: local, staging\)/, exit: 3 },
  { name: 'an environment that is not Kubernetes', args: ['--env', 'local', '--out', 'bad-out'], message: /environment "local" has runtime local/, exit: 2 },
  { name: '--namespace with upper case', args: ['--env', 'staging', '--namespace', 'Shop', '--out', 'bad-out'], message: /namespace "Shop" must be lower-case/, exit: 2 },
  { name: 'a --timeout that is not a duration', args: ['--env', 'staging', '--timeout', 'soon', '--out', 'bad-out'], message: /--timeout "soon" is not a duration/, exit: 2 },
  { name: 'missing kube context', args: ['--env', 'staging', '--context', 'prod-eu'], message: /kube context "prod-eu" is not in the kubeconfig \(it has: fake\)/, exit: 3 },
  { name: 'no kubeconfig', args: ['--env', 'staging'], kubeconfig: '/nonexistent/kubeconfig', message: /no kubeconfig found/, exit: 5 },
  {
    name: 'unreachable cluster (kubeconfig pointing at a closed port)',
    args: ['--env', 'staging'],
    kubeconfig: 'closed-kubeconfig',
    message: /cannot reach the cluster of context "fake" at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    exit: 5,
  },
];

describe('bad input: one line, the right exit code, no files', () => {
  beforeAll(() => {
    fake.writeKubeconfig(join(root, 'closed-kubeconfig'), { server: `http://127.0.0.1:${closedPort}` });
  });

  it.each(badInput)('$name', async ({ args, kubeconfig: other, message, exit }) => {
    const before = snapshotDir(root);
    const result = await msx([...args, '--no-build'], other ? { KUBECONFIG: other.startsWith('/') ? other : join(root, other) } : {});
    expect(result.code).toBe(exit);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^error: /);
    expect(lines[0]).toMatch(message);
    expect(lines.slice(1).every((line) => line.startsWith('  next: '))).toBe(true);
    expect(existsSync(join(root, 'bad-out'))).toBe(false);
    expect(snapshotDir(root)).toEqual(before);
  });
});
