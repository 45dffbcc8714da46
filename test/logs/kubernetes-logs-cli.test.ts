import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, MSX_BIN, removeDir } from '../helpers/cli.js';
import { freePort } from '../helpers/processes.js';
import { startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api-server.js';
import { resourceByKind } from '../fakes/kube-api/resources.js';
import { runCliAsync, writeWorkspace } from '../deploy/deploy-helpers.js';
import { OTHER_TRACE, pino, TRACE } from './fixtures.js';
import { seedServicePod, stampAt } from './kube-fixtures.js';

// Given the shop workspace deployed to namespace shop (the fake API on
// 127.0.0.1): a request POST /orders (REST, one of two pods) → stock (gRPC)
// and → mailer (consumer), whose first attempt crashed its container before
// the restart; the built CLI reads it with --runtime kubernetes.

const SPAN = { incoming: '00f067aa0ba902b7', orders: '137a49870ecd47f4', stock: '5fd2c0e1a6b14d3e', mailer: '9b1e77aa03c24f51' };
const BASE = Math.floor((Date.now() - 60_000) / 1000) * 1000;

let fake: FakeKubeApi;
let root: string;
let kubeconfig: string;
const children = new Set<ChildProcess>();

/** A generated service's line, stamped by the API 1 ms after the service's own time. */
function line(service: string, ms: number, fields: Record<string, unknown>, trace = TRACE) {
  const time = new Date(BASE + ms).toISOString();
  return { time: stampAt(BASE, ms + 1), text: JSON.stringify(pino({ service, time, trace, ...fields } as Parameters<typeof pino>[0])) };
}

function seedShop(): void {
  seedServicePod(fake, {
    service: 'orders', pod: 'orders-7d9f-a',
    current: [line('orders', 2, { span: 'aaaaaaaaaaaaaaaa', status: 200, msg: 'request completed' }, OTHER_TRACE)],
  });
  seedServicePod(fake, {
    service: 'orders', pod: 'orders-7d9f-b',
    current: [
      { time: stampAt(BASE, -5000), text: 'orders listening on :3000' },
      line('orders', 0, { span: SPAN.orders, parent: SPAN.incoming, method: 'POST', url: '/orders', msg: 'incoming request' }),
      line('orders', 20, { span: SPAN.orders, parent: SPAN.incoming, status: 201, duration_ms: 20, msg: 'request completed' }),
    ],
  });
  seedServicePod(fake, {
    service: 'stock', pod: 'stock-5c4b-a',
    current: [
      line('stock', 5, { span: SPAN.stock, parent: SPAN.orders, rpc: 'stock.Stock/Reserve', msg: 'call received' }),
      line('stock', 10, { span: SPAN.stock, parent: SPAN.orders, grpc_code: 0, duration_ms: 5, msg: 'call completed' }),
    ],
  });
  seedServicePod(fake, {
    service: 'mailer', pod: 'mailer-66f1-a',
    previous: [
      line('mailer', 22, { span: SPAN.mailer, parent: SPAN.orders, event: 'order.placed', level: 'fatal', msg: 'smtp client crashed' }),
      { time: stampAt(BASE, 24), text: 'Error: socket hang up' },
      { time: stampAt(BASE, 24), text: '    at TLSSocket.onHangUp (/app/src/smtp.ts:41:9)' },
    ],
    current: [line('mailer', 40, { span: SPAN.mailer, parent: SPAN.orders, event: 'order.placed', outcome: 'ack', duration_ms: 3, msg: 'event handled' })],
  });
}

const msx = (args: string[], env: NodeJS.ProcessEnv = {}) => runCliAsync(['logs', '--runtime', 'kubernetes', ...args], root, { KUBECONFIG: kubeconfig, ...env });
const errorLines = (stderr: string) => stderr.trim().split('\n');

beforeAll(async () => {
  fake = await startFakeKubeApi();
  root = makeTempDir('msx-kube-logs-cli-');
  writeWorkspace(root);
  kubeconfig = fake.writeKubeconfig(join(root, 'kubeconfig'));
  seedShop();
});

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});

afterAll(async () => {
  await fake.close();
  removeDir(root);
});

describe('msx logs --runtime kubernetes (built CLI, fake API)', () => {
  it('--trace-id --json: the lines of all three services in time order, and the hops entry → grpc, entry → consumer', async () => {
    const result = await msx(['--trace-id', TRACE, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const data = JSON.parse(result.stdout);
    expect(data.lines.map((l: { service: string; line: { msg: string } }) => `${l.service}: ${l.line.msg}`)).toEqual([
      'orders: incoming request', 'stock: call received', 'stock: call completed', 'orders: request completed', 'mailer: event handled',
    ]);
    expect(data.tree).toHaveLength(1);
    expect(data.tree[0]).toMatchObject({ service: 'orders', spanId: SPAN.orders, status: '201', error: false });
    expect(data.tree[0].children.map((h: { service: string; status: string }) => [h.service, h.status])).toEqual([['stock', 'OK'], ['mailer', 'ack']]);
    const logRequests = fake.requests.filter((r) => r.path.endsWith('/log'));
    expect(logRequests.length).toBeGreaterThanOrEqual(4);
    expect(logRequests.every((r) => r.query.timestamps === 'true')).toBe(true);
  });

  it('--env picks the environment: its runtime (kubernetes here) and namespace; an unknown one is not found (exit 3)', async () => {
    const viaEnv = await runCliAsync(['logs', '--env', 'staging', '--trace-id', TRACE, '--json'], root, { KUBECONFIG: kubeconfig });
    expect(viaEnv.code).toBe(0);
    expect(JSON.parse(viaEnv.stdout).lines).toHaveLength(5);
    const unknown = await runCliAsync(['logs', '--env', 'moon', '--trace-id', TRACE], root, { KUBECONFIG: kubeconfig });
    expect(errorLines(unknown.stderr)[0]).toBe('error: unknown environment "moon" (msx.yaml has: local, staging)');
    expect(unknown.code).toBe(3);
  });

  it('--previous adds the crashed run before the restart, with its stack trace', async () => {
    const result = await msx(['--trace-id', TRACE, '--json', '--previous']);
    expect(result.code).toBe(0);
    const lines = JSON.parse(result.stdout).lines as Array<{ service: string; line: { msg: string }; stack?: string[] }>;
    expect(lines.map((l) => l.line.msg)).toEqual(['incoming request', 'call received', 'call completed', 'request completed', 'smtp client crashed', 'event handled']);
    expect(lines[4].stack).toEqual(['Error: socket hang up', '    at TLSSocket.onHangUp (/app/src/smtp.ts:41:9)']);
  });

  it('the two pods of one service are merged by time, plain lines at the API time', async () => {
    const result = await msx(['orders', '--json']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { time: string; line: string | { msg: string } });
    expect(lines.map((l) => (typeof l.line === 'string' ? l.line : l.line.msg))).toEqual(['orders listening on :3000', 'incoming request', 'request completed', 'request completed']);
    expect(lines[0].time).toBe(new Date(BASE - 5000).toISOString());
  });

  it('a service without pods: not found, saying where msx looked (exit 3)', async () => {
    const mailerPod = fake.get('Pod', 'mailer-66f1-a', 'shop')!;
    fake.store.delete(resourceByKind('Pod'), 'shop', 'mailer-66f1-a');
    try {
      const result = await msx(['mailer']);
      expect(result.code).toBe(3);
      expect(errorLines(result.stderr)).toEqual([
        `error: no pods of mailer in namespace shop (context "fake", ${fake.url})`,
        '  next: deploy with `msx deploy`, or check namespace and kubeContext of environment staging in msx.yaml',
      ]);
    } finally {
      fake.store.put(mailerPod);
    }
  });

  it('an unreachable API (a closed port): one line naming context and server, exit 5', async () => {
    const port = await freePort();
    const unreachable = fake.writeKubeconfig(join(root, 'kubeconfig-closed'), { server: `http://127.0.0.1:${port}` });
    const result = await msx(['--trace-id', TRACE], { KUBECONFIG: unreachable });
    expect(result.code).toBe(5);
    expect(errorLines(result.stderr)).toEqual([
      `error: cannot reach the cluster of context "fake" at http://127.0.0.1:${port} (ECONNREFUSED)`,
      '  next: start the cluster or check the kubeconfig, or set kubeContext for environment staging in msx.yaml',
    ]);
  });

  it('no kubeconfig: one line naming the files looked for, exit 5', async () => {
    const missing = join(root, 'no-such-kubeconfig');
    const result = await msx(['--trace-id', TRACE], { KUBECONFIG: missing });
    expect(result.code).toBe(5);
    expect(errorLines(result.stderr)).toEqual([
      `error: no kubeconfig found (${missing})`,
      '  next: set KUBECONFIG or create ~/.kube/config (kind, k3d and cloud CLIs write one)',
    ]);
  });

  it('--previous without the kubernetes runtime is a usage error in one line (exit 2)', async () => {
    const result = await runCliAsync(['logs', '--previous'], root, { KUBECONFIG: kubeconfig });
    expect(result.code).toBe(2);
    expect(errorLines(result.stderr)).toEqual(['error: --previous works only with --runtime kubernetes (these logs are from the local runtime)']);
  });

  it('--follow prints a line appended after start and a pod that starts later; Ctrl-C ends it (exit 130)', async () => {
    const { NODE_ENV: _testEnv, ...env } = process.env;
    const child = spawn(process.execPath, [MSX_BIN, 'logs', '--runtime', 'kubernetes', '--follow', '--json'], {
      cwd: root, env: { ...env, NO_COLOR: '1', KUBECONFIG: kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => fake.podLogs.following('stock-5c4b-a', 'stock') === 1, () => stderr);
    fake.podLogs.append('stock-5c4b-a', 'stock', JSON.stringify(pino({ service: 'stock', time: new Date().toISOString(), msg: 'appended while following' })));
    await waitFor(() => stdout.includes('appended while following'), () => stderr);
    seedServicePod(fake, { service: 'orders', pod: 'orders-7d9f-c', current: [JSON.stringify(pino({ service: 'orders', time: new Date().toISOString(), msg: 'new pod' }))] });
    await waitFor(() => stdout.includes('new pod'), () => stderr);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { service: string; line: { msg?: string } });
    expect(lines.filter((l) => l.line.msg === 'event handled')).toHaveLength(1); // history once, not again when following
    expect(lines.slice(-2).map((l) => `${l.service}: ${l.line.msg}`)).toEqual(['stock: appended while following', 'orders: new pod']);
  });
});

async function waitFor(done: () => boolean, why: () => string, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out; stderr: ${why()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
