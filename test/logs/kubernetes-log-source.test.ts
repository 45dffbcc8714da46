import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectKube } from '../../src/kube/connect.js';
import { KubeForbiddenError } from '../../src/kube/kube-errors.js';
import { UserError } from '../../src/errors.js';
import { KubernetesLogSource, type KubeLogOptions } from '../../src/logs/kubernetes-log-source.js';
import type { LogEntry } from '../../src/logs/log-entry.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';
import { startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api-server.js';
import { collect, OTHER_TRACE, TRACE } from './fixtures.js';
import { jsonLine, NAMESPACE, seedServicePod, stampAt } from './kube-fixtures.js';

// The Kubernetes log source with the real client (client-node) against the
// fake API on 127.0.0.1: pods found by msx deploy's labels, every container's
// log with the API's timestamps, merged by time.

let fake: FakeKubeApi;
let dir: string;
const savedKubeconfig = process.env.KUBECONFIG;
/** A whole second an hour ago: lines appended while following come after it. */
const BASE = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
const TARGET = { environment: 'staging', namespace: NAMESPACE, workspace: 'shop', services: ['orders', 'stock', 'mailer'] };

async function source(options: KubeLogOptions = {}): Promise<KubernetesLogSource> {
  return new KubernetesLogSource(await connectKube({}), TARGET, options);
}

const texts = (entries: LogEntry[]) => entries.map((e) => (e.fields ? String(e.fields.msg) : e.text));

beforeAll(() => {
  dir = makeTempDir('msx-kube-logs-');
});

beforeEach(async () => {
  fake = await startFakeKubeApi();
  process.env.KUBECONFIG = fake.writeKubeconfig(join(dir, 'kubeconfig'));
});

afterEach(async () => {
  await fake.close();
});

afterAll(() => {
  process.env.KUBECONFIG = savedKubeconfig;
  removeDir(dir);
});

describe('services()', () => {
  it('lists the workspace services that have pods, found by the labels msx deploy puts on them', async () => {
    seedServicePod(fake, { service: 'orders', pod: 'orders-a' });
    seedServicePod(fake, { service: 'orders', pod: 'orders-b' });
    seedServicePod(fake, { service: 'mailer', pod: 'mailer-a' });
    seedServicePod(fake, { service: 'stock', pod: 'stock-a', workspace: 'other-shop' });
    seedServicePod(fake, { service: 'billing', pod: 'billing-a' });
    expect(await (await source()).services()).toEqual(['mailer', 'orders']);
    const lists = fake.requests.filter((r) => r.path === `/api/v1/namespaces/${NAMESPACE}/pods`);
    expect(lists.at(-1)?.query.labelSelector).toBe('app.kubernetes.io/managed-by=msx,dev.msx/workspace=shop');
  });
});

describe('read()', () => {
  it('merges the lines of all pods of a service by time; the API timestamp is the time of a line without one', async () => {
    seedServicePod(fake, {
      service: 'orders', pod: 'orders-a',
      current: [
        { time: stampAt(BASE, 0), text: jsonLine('orders', BASE + 0, { msg: 'a1' }) },
        { time: stampAt(BASE, 30), text: 'orders listening on :3000' },
        { time: stampAt(BASE, 50), text: jsonLine('orders', BASE + 50, { msg: 'a3' }) },
      ],
    });
    seedServicePod(fake, {
      service: 'orders', pod: 'orders-b',
      current: [
        { time: stampAt(BASE, 11), text: jsonLine('orders', BASE + 10, { msg: 'b1' }) },
        { time: stampAt(BASE, 41), text: jsonLine('orders', BASE + 40, { msg: 'b2' }) },
      ],
    });
    const entries = await collect((await source()).read('orders'));
    expect(texts(entries)).toEqual(['a1', 'b1', 'orders listening on :3000', 'b2', 'a3']);
    const plain = entries[2];
    expect(plain).toMatchObject({ service: 'orders', stream: 'stdout', time: BASE + 30, receivedAt: new Date(BASE + 30).toISOString() });
    expect(plain.fields).toBeUndefined();
    expect(entries[1].time).toBe(BASE + 10); // the service's own time wins over the API's
    const logs = fake.requests.filter((r) => r.path.endsWith('/log'));
    expect(logs.map((r) => [r.path, r.query.container, r.query.timestamps, r.query.previous]).sort()).toEqual([
      [`/api/v1/namespaces/${NAMESPACE}/pods/orders-a/log`, 'orders', 'true', 'false'],
      [`/api/v1/namespaces/${NAMESPACE}/pods/orders-b/log`, 'orders', 'true', 'false'],
    ]);
    const lists = fake.requests.filter((r) => r.path === `/api/v1/namespaces/${NAMESPACE}/pods`);
    expect(lists.at(-1)?.query.labelSelector).toBe('app.kubernetes.io/name=orders,dev.msx/workspace=shop');
  });

  it('keeps a stack trace with its line, and with a needle skips lines of other traces but not that stack', async () => {
    seedServicePod(fake, {
      service: 'mailer', pod: 'mailer-a',
      current: [
        { time: stampAt(BASE, 0), text: jsonLine('mailer', BASE, { trace_id: OTHER_TRACE, msg: 'other' }) },
        { time: stampAt(BASE, 5), text: jsonLine('mailer', BASE + 5, { trace_id: TRACE, level: 'error', msg: 'send failed' }) },
        { time: stampAt(BASE, 6), text: 'Error: smtp unavailable' },
        { time: stampAt(BASE, 6), text: '    at send (/app/src/mailer.ts:9:7)' },
        { time: stampAt(BASE, 7), text: jsonLine('mailer', BASE + 7, { trace_id: OTHER_TRACE, msg: 'other again' }) },
        { time: stampAt(BASE, 8), text: `plain line naming ${TRACE}` },
      ],
    });
    const all = await collect((await source()).read('mailer'));
    expect(texts(all)).toEqual(['other', 'send failed', 'other again', `plain line naming ${TRACE}`]);
    expect(all[1].stack).toEqual(['Error: smtp unavailable', '    at send (/app/src/mailer.ts:9:7)']);
    const traced = await collect((await source()).read('mailer', { needle: TRACE }));
    expect(texts(traced)).toEqual(['send failed']);
    expect(traced[0].stack).toHaveLength(2);
  });

  it('with previous, reads the run before the last restart first; without, never asks for it', async () => {
    seedServicePod(fake, {
      service: 'stock', pod: 'stock-a',
      previous: [{ time: stampAt(BASE, 0), text: jsonLine('stock', BASE, { level: 'fatal', msg: 'crashed' }) }],
      current: [{ time: stampAt(BASE, 900), text: jsonLine('stock', BASE + 900, { msg: 'restarted' }) }],
    });
    expect(texts(await collect((await source()).read('stock')))).toEqual(['restarted']);
    expect(fake.requests.some((r) => r.query.previous === 'true')).toBe(false);
    expect(texts(await collect((await source({ previous: true })).read('stock')))).toEqual(['crashed', 'restarted']);
  });

  it('a container still being created, or without a previous run, has no lines and is no error', async () => {
    seedServicePod(fake, { service: 'orders', pod: 'orders-new' });
    seedServicePod(fake, { service: 'orders', pod: 'orders-a', current: [{ time: stampAt(BASE, 0), text: jsonLine('orders', BASE, { msg: 'up' }) }] });
    expect(texts(await collect((await source({ previous: true })).read('orders')))).toEqual(['up']);
  });
});

describe('follow()', () => {
  it('goes on from where read stopped, and picks up a pod that starts later, until aborted', async () => {
    const kept = { time: stampAt(BASE, 0, '000001'), text: jsonLine('orders', BASE, { msg: 'before' }) };
    const sameStamp = { time: kept.time, text: jsonLine('orders', BASE, { msg: 'same stamp' }) };
    seedServicePod(fake, { service: 'orders', pod: 'orders-a', current: [kept, sameStamp] });
    const logs = await source({ pollMs: 50 });
    expect(texts(await collect(logs.read('orders')))).toEqual(['before', 'same stamp']);
    const stop = new AbortController();
    const seen: LogEntry[] = [];
    const following = (async () => {
      for await (const batch of logs.follow({ signal: stop.signal })) seen.push(...batch);
    })();
    try {
      await waitFor(() => fake.podLogs.following('orders-a', 'orders') === 1);
      fake.podLogs.append('orders-a', 'orders', jsonLine('orders', Date.now(), { msg: 'after' }));
      await waitFor(() => seen.length >= 1);
      seedServicePod(fake, { service: 'stock', pod: 'stock-late', current: [jsonLine('stock', Date.now(), { msg: 'late pod' })] });
      await waitFor(() => seen.length >= 2);
    } finally {
      stop.abort();
      await following;
    }
    expect(texts(seen)).toEqual(['after', 'late pod']);
    const resumed = fake.requests.find((r) => r.path.endsWith('/orders-a/log') && r.query.follow === 'true');
    expect(resumed?.query.sinceTime).toBe(new Date(BASE).toISOString().replace('.000Z', 'Z'));
    await waitFor(() => fake.podLogs.following('orders-a', 'orders') === 0); // the abort closed the connection
  });
});

describe('errors: one line with where and the next step', () => {
  it('RBAC forbidding pod logs names the context, the server and what was refused', async () => {
    seedServicePod(fake, { service: 'orders', pod: 'orders-a', current: ['{"msg":"x"}'] });
    fake.forbid('get', 'pods/log');
    const error = await collect((await source()).read('orders')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeForbiddenError);
    expect((error as UserError).exitCode).toBe(5);
    expect((error as Error).message).toBe(
      `forbidden by RBAC in context "fake" (${fake.url}): pods "orders-a" is forbidden: User "system:serviceaccount:ci:deployer" cannot get resource "pods/log" in API group "" in the namespace "shop"`,
    );
  });

  it('RBAC forbidding the pod list fails services() the same way', async () => {
    fake.forbid('list', 'pods');
    const error = await (await source()).services().catch((e: unknown) => e);
    expect((error as UserError).exitCode).toBe(5);
    expect((error as Error).message).toMatch(/^forbidden by RBAC in context "fake" \(http:\/\/127\.0\.0\.1:\d+\): pods is forbidden: .* cannot list resource "pods"/);
  });

  it('no pods of a service is a not-found error saying where msx looked', async () => {
    const error = (await source()).missingLogs(['stock']);
    expect(error.exitCode).toBe(3);
    expect(error.message).toBe(`no pods of stock in namespace shop (context "fake", ${fake.url})`);
  });
});

async function waitFor(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
