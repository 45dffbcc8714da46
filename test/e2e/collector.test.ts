import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../src/runtimes/runtime.js';
import { msxFile } from '../../src/state/paths.js';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';
import { makeTwoServiceWorkspace, stopAndReap } from '../helpers/local-workspace.js';
import { exportLogs } from '../helpers/otel-logs-export.js';
import { exportTrace } from '../helpers/otel-export.js';

// msx up (detached) runs msx's OTLP collector in its supervisor and wires every
// service to it; a span a real OpenTelemetry SDK exports there is listed by
// msx traces, shown by msx logs --trace-id, and still there after msx down.
// (The generated services' own spans arrive once they emit them: here the test
// is the exporter, with the endpoint a service was given.)

const PORTS = { alpha: 42130, beta: 42131 };

function environOf(pid: number): Record<string, string> {
  const pairs = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

describe('the collector msx up runs', () => {
  let root: string;
  let ws: string;
  const seenPids = new Set<number>();

  beforeAll(() => {
    root = makeTempDir();
    ws = makeTwoServiceWorkspace(root, 'collector', PORTS);
  });

  afterAll(() => {
    stopAndReap(ws, seenPids);
    removeDir(root);
  });

  it('wires services to it, stores what they send, answers msx traces and msx logs --trace-id, also after msx down', { timeout: 240_000 }, async () => {
    // Given a detached workspace
    const up = runCli(['up', '--detach', '--json'], ws);
    expect(up.code, up.stderr).toBe(0);
    const services = JSON.parse(runCli(['ps', '--json'], ws).stdout).services as ServiceStatus[];
    for (const s of services) if (s.pid) seenPids.add(s.pid);

    // Then the collector listens on 127.0.0.1 and every service was given its address
    const collector = JSON.parse(readFileSync(msxFile.collector(ws), 'utf8')) as { endpoint: string; pid: number };
    expect(collector.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(JSON.parse(up.stdout).spans).toEqual({ endpoint: collector.endpoint, collector: true });
    for (const service of services) expect(environOf(service.pid!)).toMatchObject({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_SERVICE_NAME: service.service });

    // When a real OTLP/proto exporter sends a trace to that endpoint
    const sent = await exportTrace(environOf(services[0].pid!).OTEL_EXPORTER_OTLP_ENDPOINT, { encoding: 'protobuf', service: 'alpha' });

    // Then msx traces lists it, with its root, services, span count and error
    const listed = runCli(['traces', '--json'], ws);
    expect(listed.code, listed.stderr).toBe(0);
    const [trace] = JSON.parse(listed.stdout).traces;
    expect(trace).toMatchObject({ traceId: sent.traceId, root: { service: 'alpha', name: 'GET /orders/:id' }, services: ['alpha'], spanCount: 2, errorCount: 1 });
    expect(JSON.parse(runCli(['traces', '--errors', '--service', 'alpha', '--json'], ws).stdout).traces.map((t: { traceId: string }) => t.traceId)).toEqual([sent.traceId]);

    // And msx logs --trace-id shows its spans (no service logged a line of it)
    const logs = runCli(['logs', '--trace-id', sent.traceId], ws);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain(`trace ${sent.traceId}  2 spans, 1 service`);
    expect(logs.stdout).toMatch(/└─ alpha stock\.Stock\/Reserve +\w{8} .*error: out of stock ✗/);

    // When the real OTLP logs exporter sends two records to the same endpoint (/v1/logs), one in the server span
    await exportLogs(collector.endpoint, { encoding: 'protobuf', service: 'alpha', traceId: sent.traceId, spanId: sent.serverSpanId });
    // Then they are alpha's log lines: msx logs shows both, and the one in the trace is under its span
    const alphaLogs = runCli(['logs', 'alpha', '--json'], ws);
    expect(alphaLogs.code, alphaLogs.stderr).toBe(0);
    const lines = alphaLogs.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => JSON.stringify(line).includes('stock is low'))).toHaveLength(1);
    expect(lines.filter((line) => JSON.stringify(line).includes('{\\"event\\":\\"started\\",\\"port\\":3000}'))).toHaveLength(1);
    const traced = runCli(['logs', '--trace-id', sent.traceId], ws);
    expect(traced.code, traced.stderr).toBe(0);
    // (the line right under the server span: the span that wrote it)
    expect(traced.stdout).toMatch(/^alpha GET \/orders\/:id .*\n│ +alpha +\| [\d:.]+ WARN +stock is low trace_id=\w{32} stock\.sku=sku-1 stock\.left=2$/m);
    expect(traced.stdout).not.toContain('"port":3000');
    // And records under a name that is no service of the workspace are refused: no log file is made for it
    await exportLogs(collector.endpoint, { encoding: 'json', service: 'stranger', traceId: sent.traceId, spanId: sent.serverSpanId });
    expect(existsSync(join(ws, '.msx', 'logs', 'stranger.ndjson'))).toBe(false);
    expect(runCli(['logs', '--trace-id', sent.traceId], ws).stdout).not.toContain('stranger');

    // After msx down: nothing listens there any more, and the traces are still read from .msx
    expect(runCli(['down'], ws).code).toBe(0);
    await expect(fetch(`${collector.endpoint}/v1/traces`, { method: 'POST' })).rejects.toThrow();
    expect(JSON.parse(readFileSync(msxFile.collector(ws), 'utf8')).pid).toBe(0);
    const after = runCli(['traces'], ws);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(new RegExp(`${sent.traceId} +alpha GET /orders/:id +alpha +\\S+ +[\\d.]+ (ms|s) +2 +1`));
  });
});
