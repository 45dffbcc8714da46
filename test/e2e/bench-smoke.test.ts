import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// A bench script is only run by hand, so nothing else notices when a change to msx breaks one
// (a --public-key check once made bench/gateway.sh fail at its first step while CI stayed
// green). Each script here runs once, one short round: it must finish and print its figures.
// The figures themselves are not checked (tests never assert on time; a short round on a
// loaded machine says nothing).

function runBench(script: string, knobs: Record<string, string> = {}): { status: number | null; out: string } {
  const { NODE_ENV: _vitest, ...env } = process.env;
  const run = spawnSync('bash', [script], { cwd: process.cwd(), env: { ...env, ROUNDS: '1', DURATION: '1', NO_COLOR: '1', ...knobs }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: run.status, out: `${run.stdout}\n${run.stderr}` };
}

describe('the bench scripts still run (one short round, figures not checked)', () => {
  it('bench/gateway.sh: generates the gateway and the service, and prints the side-by-side figures', { timeout: 600_000 }, () => {
    const { status, out } = runBench('bench/gateway.sh');
    expect(status, out.slice(-3000)).toBe(0);
    expect(out).toMatch(/^direct\s+\d+/m);
    expect(out).toMatch(/^bare\s+\d+/m);
    expect(out).toMatch(/^gateway\s+\d+/m);
    expect(out).toMatch(/gateway \/ bare proxy, requests per proxy CPU-second: \d+%/);
    // Spans are exported by default, so the floor path runs too: the bare proxy with the SDK's spans alone.
    expect(out).toMatch(/^bare\+sdk\s+\d+/m);
    expect(out).toMatch(/bare proxy with the SDK's spans alone \/ bare proxy, requests per proxy CPU-second: \d+%/);
    expect(out).toMatch(/p99 added by the gateway at 50% of saturation.*; failed: 0/);
  });

  // Issue 16's figures: each generated service beside its bare library, spans exported and disabled.
  for (const [script, unit] of [['bench/rest-throughput.sh', 'req'], ['bench/grpc-throughput.sh', 'call'], ['bench/consumer-throughput.sh', 'msg']] as const) {
    it(`${script}: prints the generated/bare ratios with spans exported and disabled, and loses no span`, { timeout: 600_000 }, () => {
      const { status, out } = runBench(script);
      expect(status, out.slice(-3000)).toBe(0);
      const ratios = out.match(new RegExp(`generated/bare by ${unit}s per server CPU-second: \\d+\\.\\d%`, 'g')) ?? [];
      expect(ratios.length, out.slice(-3000)).toBeGreaterThanOrEqual(2);
      // The span count ran (it prints nothing without counts) and found none missing.
      expect(out).toMatch(/no sign of dropped spans/);
      expect(out).not.toMatch(/DROPPED/);
    });
  }

  // The floor under those: the bare server with the OpenTelemetry SDK's span alone in the generated one's place.
  for (const [script, unit] of [['bench/rest-throughput.sh', 'req'], ['bench/grpc-throughput.sh', 'call'], ['bench/consumer-throughput.sh', 'msg']] as const) {
    it(`${script} with BARE_VS_BARE=sdk: the bare server exporting the SDK's spans, every one received`, { timeout: 600_000 }, () => {
      const { status, out } = runBench(script, { BARE_VS_BARE: 'sdk' });
      expect(status, out.slice(-3000)).toBe(0);
      expect(out).toMatch(/== SDK floor: /);
      expect(out).not.toMatch(/== spans disabled/);
      expect(out).toMatch(new RegExp(`generated/bare by ${unit}s per server CPU-second: \\d+\\.\\d%`));
      // The collector got a span for every operation of the bare server with the SDK: its spans are real and none was lost.
      const received = /spans received: (\d+) for (\d+) operations counted with spans exported \(no fewer/.exec(out);
      expect(received, out.slice(-3000)).not.toBeNull();
      expect(Number(received![2])).toBeGreaterThan(0);
    });
  }

  it('bench/collector.sh: prints the collector\'s ingest beside a bare receiver', { timeout: 300_000 }, () => {
    const { status, out } = runBench('bench/collector.sh');
    expect(status, out.slice(-3000)).toBe(0);
    expect(out).toMatch(/collector per CPU-second: \d+\.\d% of bare/);
  });

  it('bench/traces.sh: msx traces --slowest finds the slowest of the stored traces, and the timings print', { timeout: 300_000 }, () => {
    // The script itself fails unless the first trace of --slowest is the one it made slowest.
    const { status, out } = runBench('bench/traces.sh', { TRACES: '2000', RUNS: '1' });
    expect(status, out.slice(-3000)).toBe(0);
    expect(out).toMatch(/msx traces --slowest --json\s+median\s+\d+ ms/);
  });
});
