import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type RunningCollector } from '../../src/collector/collector.js';
import { listTraces } from '../../src/state/span-store.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';

// The docker runtime runs msx's collector on the host, listening on the
// workspace network's gateway; a container on that network reaches it by
// host.docker.internal (mapped to the gateway, as msx maps it). Real engine,
// real container (node:20-slim, the services' base image).

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
/** Not execFileSync: the collector answers in this process, so the event loop must run while the container posts. */
const dockerAsync = async (...args: string[]) => (await promisify(execFile)('docker', args, { encoding: 'utf8', timeout: 90_000 })).stdout.trim();
const NETWORK = `collector-e2e-${randomBytes(3).toString('hex')}`;

describe('a container reaches the collector through its network gateway', () => {
  let root: string;
  let gateway: string;
  let collector: RunningCollector;

  beforeAll(async () => {
    root = makeTempDir();
    docker('network', 'create', '--label', 'dev.msx.test=collector', NETWORK);
    gateway = docker('network', 'inspect', NETWORK, '--format', '{{(index .IPAM.Config 0).Gateway}}');
    collector = await startCollector(root, { host: gateway });
  });
  afterAll(async () => {
    await collector?.close();
    docker('network', 'rm', NETWORK);
    removeDir(root);
  });

  it('stores a span a container posts to http://host.docker.internal:PORT', { timeout: 120_000 }, async () => {
    const traceId = randomBytes(16).toString('hex');
    const body = JSON.stringify({
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }] },
        scopeSpans: [{ spans: [{ traceId, spanId: randomBytes(8).toString('hex'), name: 'GET /orders', kind: 2, startTimeUnixNano: `${Date.now()}000000`, endTimeUnixNano: `${Date.now() + 5}000000` }] }],
      }],
    });
    const script = `fetch(process.env.OTEL_EXPORTER_OTLP_ENDPOINT + '/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: process.env.BODY }).then(async (r) => console.log(r.status, await r.text()))`;
    const out = await dockerAsync('run', '--rm', '--network', NETWORK, '--add-host', `host.docker.internal:${gateway}`,
      '-e', `OTEL_EXPORTER_OTLP_ENDPOINT=http://host.docker.internal:${collector.port}`, '-e', `BODY=${body}`, 'node:20-slim', 'node', '-e', script);
    expect(out).toBe('200 {}');
    expect((await listTraces(root)).map((t) => [t.traceId, t.root?.service])).toEqual([[traceId, 'orders']]);
  });
});
