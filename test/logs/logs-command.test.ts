import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, MSX_BIN, removeDir, runCli } from '../helpers/cli.js';
import { OTHER_TRACE, pino, record, TRACE, writeLogs } from './fixtures.js';

// Given a workspace whose local runtime wrote realistic logs for three services:
// a request orders (REST) → stock (gRPC) → event → mailer (consumer), with a
// stack trace, lines of another request, and older lines from two hours ago.

const YAML = `version: 1
name: shop
services:
  orders:
    kind: rest
    context: ordering
    path: contexts/ordering/orders
    port: 3000
  stock:
    kind: grpc
    context: warehouse
    path: contexts/warehouse/stock
    port: 3001
  mailer:
    kind: consumer
    context: engagement
    path: contexts/engagement/mailer
    port: 3002
`;
const SPAN = { incoming: '00f067aa0ba902b7', orders: '137a49870ecd47f4', stock: '5fd2c0e1a6b14d3e', mailer: '9b1e77aa03c24f51' };

function logFiles(now: number): Record<string, string[]> {
  const t = (ms: number) => new Date(now - 60_000 + ms).toISOString();
  const old = new Date(now - 2 * 3_600_000).toISOString();
  const at = (service: string, ms: number, fields: Record<string, unknown>, trace = TRACE) =>
    record(service, t(ms + 1), pino({ service, time: t(ms), trace, ...fields } as Parameters<typeof pino>[0]));
  return {
    orders: [
      record('orders', old, pino({ service: 'orders', time: old, msg: 'server listening' })),
      at('orders', 0, { span: SPAN.orders, parent: SPAN.incoming, method: 'POST', url: '/orders', msg: 'incoming request' }),
      at('orders', 20, { span: SPAN.orders, parent: SPAN.incoming, status: 201, duration_ms: 20, msg: 'request completed' }),
      at('orders', 30, { span: 'aaaaaaaaaaaaaaaa', status: 200, msg: 'request completed' }, OTHER_TRACE),
    ],
    stock: [
      record('stock', old, 'stock listening on :3001'),
      at('stock', 5, { span: SPAN.stock, parent: SPAN.orders, rpc: 'stock.Stock/Reserve', msg: 'call received' }),
      at('stock', 8, { span: SPAN.stock, parent: SPAN.orders, level: 'warn', msg: 'low stock' }),
      at('stock', 10, { span: SPAN.stock, parent: SPAN.orders, grpc_code: 0, duration_ms: 5, msg: 'call completed' }),
    ],
    mailer: [
      at('mailer', 25, { span: SPAN.mailer, parent: SPAN.orders, event: 'order.placed', level: 'error', msg: 'send failed' }),
      record('mailer', t(26), 'Error: smtp unavailable'),
      record('mailer', t(26), '    at send (/app/src/mailer.ts:9:7)'),
      at('mailer', 40, { span: SPAN.mailer, parent: SPAN.orders, event: 'order.placed', outcome: 'nack', duration_ms: 15, msg: 'event handled' }),
    ],
  };
}

describe('msx logs (built CLI, local runtime files)', () => {
  let root: string;
  let ws: string;
  const json = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as { service: string; time: string; line: Record<string, unknown> | string; stack?: string[] });

  beforeAll(() => {
    root = makeTempDir();
    ws = join(root, 'shop');
    mkdirSync(ws);
    writeFileSync(join(ws, 'msx.yaml'), YAML);
    writeLogs(ws, logFiles(Date.now()));
  });
  afterAll(() => removeDir(root));

  it('--trace-id shows the hops as a tree, then every line of the request with its stack trace', () => {
    const result = runCli(['logs', '--trace-id', TRACE], ws);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout.replace(/ +/g, ' ');
    expect(out).toContain(`trace ${TRACE} 3 hops, 3 services`);
    expect(out).toMatch(/\norders 137a4987 \+0 ms 20 ms 201\n├─ stock 5fd2c0e1 \+5 ms 5 ms OK\n└─ mailer 9b1e77aa \+25 ms 15 ms nack order\.placed ✗\n/);
    expect(out).toContain('mailer | Error: smtp unavailable\nmailer | at send (/app/src/mailer.ts:9:7)');
    expect(out).not.toContain(OTHER_TRACE);
  });

  it('--trace-id --json gives {traceId, tree, lines}; a traceparent works as well as the bare id', () => {
    const result = runCli(['logs', '--trace-id', `00-${TRACE}-${SPAN.incoming}-01`, '--json'], ws);
    expect(result.code).toBe(0);
    const data = JSON.parse(result.stdout);
    expect(data.traceId).toBe(TRACE);
    expect(data.lines.map((l: { line: { msg: string } }) => l.line.msg)).toEqual(['incoming request', 'call received', 'low stock', 'call completed', 'request completed', 'send failed', 'event handled']);
    expect(data.lines[5].stack).toEqual(['Error: smtp unavailable', '    at send (/app/src/mailer.ts:9:7)']);
    expect(data.tree).toHaveLength(1);
    expect(data.tree[0]).toMatchObject({ service: 'orders', spanId: SPAN.orders, status: '201', error: false });
    expect(data.tree[0].children.map((h: { service: string; status: string; error: boolean }) => [h.service, h.status, h.error])).toEqual([
      ['stock', 'OK', false],
      ['mailer', 'nack', true],
    ]);
  });

  it('--json prints one JSON object per line, all services merged by time', () => {
    const result = runCli(['logs', '--json'], ws);
    expect(result.code).toBe(0);
    const lines = json(result.stdout);
    expect(lines).toHaveLength(10); // 12 lines written, 2 of them a stack trace kept with its line
    expect(lines.map((l) => l.time)).toEqual(lines.map((l) => l.time).sort());
    expect(new Set(lines.slice(0, 2).map((l) => l.service))).toEqual(new Set(['orders', 'stock']));
  });

  it('--level, --since, --grep and SERVICE narrow the lines', () => {
    const msgs = (args: string[]) => json(runCli(['logs', '--json', ...args], ws).stdout).map((l) => (typeof l.line === 'string' ? l.line : l.line.msg));
    expect(msgs(['--level', 'warn'])).toEqual(['low stock', 'send failed']);
    expect(msgs(['--since', '10m'])).toHaveLength(8);
    expect(msgs(['--since', '10m'])).not.toContain('server listening');
    expect(msgs(['--until', '1h'])).toEqual(['server listening', 'stock listening on :3001']);
    expect(msgs(['--grep', 'smtp'])).toEqual(['send failed']);
    expect(msgs(['stock'])).toEqual(['stock listening on :3001', 'call received', 'low stock', 'call completed']);
    expect(msgs(['stock', 'mailer', '--level', 'warn'])).toEqual(['low stock', 'send failed']);
  });

  it.each([
    { name: 'a malformed trace id', args: ['--trace-id', 'abc123'], message: /trace id "abc123" is malformed: expected 32 lowercase hex characters/, exit: 2 },
    { name: 'a malformed --since', args: ['--since', 'yesterday'], message: /--since "yesterday" is not a duration or a time/, exit: 2 },
    { name: 'an unknown service', args: ['ghost'], message: /unknown service "ghost" \(known: orders, stock, mailer\)/, exit: 2 },
    { name: '--follow with --until', args: ['--follow', '--until', '5m'], message: /--until cannot be used with --follow/, exit: 2 },
    { name: 'a bad --level', args: ['--level', 'loud'], message: /--level/, exit: 2 },
    {
      name: 'a trace id with no lines',
      args: ['--trace-id', 'ffffffffffffffffffffffffffffffff'],
      message: /no log lines with trace id f{32} in the logs of mailer, orders, stock\n {2}next: .*msx ps/,
      exit: 3,
    },
    { name: 'a trace id outside --since', args: ['--trace-id', TRACE, '--since', '2s'], message: /no log lines with trace id .*\n {2}next: widen --since\/--until/, exit: 3 },
  ])('$name: one clear message, exit $exit', ({ args, message, exit }) => {
    const result = runCli(['logs', ...args], ws);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/);
    expect(result.code).toBe(exit);
  });

  it.each([
    [['--trace-id', TRACE]],
    [['--trace-id', TRACE, '--json']],
    [['--json', '--level', 'warn', 'stock', 'mailer']],
    [['--since=10m', '--grep', 'smtp']],
    [['--trace-id', 'abc123']],
    [['--trace-id', 'ffffffffffffffffffffffffffffffff', '--json']],
    [['ghost']],
    [['--level', 'loud']],
    [['--bogus']],
    [['--help']],
  ])('msx logs %j: the same output and exit code with and without the fast path (bin/run.js)', (args) => {
    const fast = runCli(['logs', ...args], ws);
    const oclif = runCli(['logs', ...args], ws, { MSX_NO_FAST_PATH: '1' });
    expect({ code: fast.code, stdout: fast.stdout, stderr: fast.stderr }).toEqual({ code: oclif.code, stdout: oclif.stdout, stderr: oclif.stderr });
  });

  it('outside a workspace: the loader says so (exit 3)', () => {
    const result = runCli(['logs'], root);
    expect(result.stderr).toMatch(/no msx\.yaml in/);
    expect(result.code).toBe(3);
  });

  it('--follow prints new lines, from a service that starts later too, and Ctrl-C ends it cleanly', async () => {
    const { NODE_ENV: _testEnv, ...env } = process.env;
    const child = spawn(process.execPath, [MSX_BIN, 'logs', '--follow', '--json', '--since', '10m'], { cwd: ws, env: { ...env, NO_COLOR: '1' } });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => stdout.includes('event handled'));
    const now = new Date().toISOString();
    appendFileSync(join(ws, '.msx', 'logs', 'billing.ndjson'), `${record('billing', now, pino({ service: 'billing', time: now, msg: 'late arrival' }))}\n`);
    await waitFor(() => stdout.includes('late arrival'));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(json(stdout).map((l) => l.service).at(-1)).toBe('billing');
  });
});

async function waitFor(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
