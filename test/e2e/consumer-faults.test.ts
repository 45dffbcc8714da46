import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAmqpNamespace } from '../../src/models/wiring.js';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';
import { freePort, killGroup, npmInstall, startProcess, waitForStatus, type StartedProcess } from '../helpers/processes.js';

// Events under faults, on the real RabbitMQ: two clones of one workspace on one
// broker each get all and only their own events (msx up names the exchange and
// queues for the folder), and a consumer whose broker connection is cut while
// 1,000 events are in flight handles every one exactly once, none dead-lettered.

const EVENT = 'order.placed';
const BROKER = 'amqp://guest:guest@127.0.0.1:5672';

interface Channel {
  publish(exchange: string, key: string, body: Buffer, options: Record<string, unknown>): boolean;
  waitForConfirms(): Promise<void>;
  assertExchange(name: string, type: string, options: Record<string, unknown>): Promise<unknown>;
  checkQueue(name: string): Promise<{ messageCount: number }>;
  deleteQueue(name: string): Promise<unknown>;
  deleteExchange(name: string): Promise<unknown>;
  close(): Promise<void>;
}
interface Amqp {
  connect(url: string): Promise<{ createConfirmChannel(): Promise<Channel>; close(): Promise<void> }>;
}

const queuesOf = (owner: string) => ['', '.dlq', ...[1000, 2000, 4000, 8000, 16000, 32000].map((ms) => `.retry.${ms}ms`)].map((s) => `${owner}.${EVENT}${s}`);

/** The payload ids the consumer's handler ran for, once per run (its `handled order.placed` lines; .msx records or raw lines). */
function handledIds(lines: string[]): string[] {
  return lines.flatMap((line) => {
    if (!line.startsWith('{')) return [];
    const record = JSON.parse(line) as Record<string, unknown>;
    const fields = (typeof record.line === 'object' && record.line ? record.line : record) as Record<string, unknown>;
    return fields.msg === `handled ${EVENT}` && typeof fields.id === 'string' ? [fields.id] : [];
  });
}

describe('events under faults, on the real RabbitMQ', () => {
  let root: string;
  let first: string;
  let second: string;
  let amqp: Amqp;
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeAll(() => {
    root = makeTempDir();
    first = join(root, 'a', 'shop');
    execFileSync('mkdir', ['-p', join(root, 'a'), join(root, 'b')]);
    expect(runCli(['init', 'shop'], join(root, 'a')).code).toBe(0);
    const made = runCli(['new', 'service', 'notifier', '--kind', 'consumer', '--context', 'engagement', '--subscribes', EVENT, '--port', '41350'], first);
    expect(made.stderr).toBe('');
    npmInstall(join(first, 'contexts', 'engagement', 'notifier'));
    // A second clone of the same repository: same workspace name, same consumer name, its own port.
    second = join(root, 'b', 'shop');
    cpSync(first, second, { recursive: true });
    writeFileSync(join(second, 'msx.yaml'), readFileSync(join(second, 'msx.yaml'), 'utf8').replace('port: 41350', 'port: 41351'));
    amqp = createRequire(join(first, 'contexts', 'engagement', 'notifier', 'package.json'))('amqplib') as Amqp;
  });

  afterAll(async () => {
    for (const ws of [first, second]) runCli(['down'], ws);
    for (const cleanup of cleanups.reverse()) await cleanup();
    removeDir(root);
  });

  async function deleteBrokerObjects(exchange: string, owner: string, vhostUrl = BROKER): Promise<void> {
    const connection = await amqp.connect(vhostUrl);
    const channel = await connection.createConfirmChannel();
    for (const queue of queuesOf(owner)) await channel.deleteQueue(queue);
    await channel.deleteExchange(exchange);
    await connection.close();
  }

  async function publishMany(url: string, exchange: string, count: number): Promise<string[]> {
    const connection = await amqp.connect(url);
    const channel = await connection.createConfirmChannel();
    await channel.assertExchange(exchange, 'topic', { durable: true });
    const ids = Array.from({ length: count }, () => randomUUID());
    for (const id of ids) {
      const body = { id, occurredAt: new Date().toISOString(), data: { name: 'an order' } };
      channel.publish(exchange, EVENT, Buffer.from(JSON.stringify(body)), { persistent: true, messageId: randomUUID(), contentType: 'application/json' });
    }
    await channel.waitForConfirms();
    await connection.close();
    return ids;
  }

  it('two clones on one broker, each with a consumer "notifier": each gets all and only its own events', async () => {
    const names = [first, second].map((ws) => localAmqpNamespace({ name: 'shop', root: ws }));
    for (const [i, ws] of [first, second].entries()) {
      cleanups.push(() => deleteBrokerObjects(`${names[i]}.events`, `${names[i]}.notifier`));
      const up = runCli(['up', '--detach'], ws);
      expect(up.code, up.stderr).toBe(0);
    }
    expect(names[0]).not.toBe(names[1]);
    const sent = [await publishMany(BROKER, `${names[0]}.events`, 4), await publishMany(BROKER, `${names[1]}.events`, 4)];
    const logOf = (ws: string) => {
      const file = join(ws, '.msx', 'logs', 'notifier.ndjson');
      return existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
    };
    for (let i = 0; i < 100 && [first, second].some((ws) => handledIds(logOf(ws)).length < 4); i += 1) await sleep(100);
    expect(handledIds(logOf(first)).sort()).toEqual([...sent[0]].sort());
    expect(handledIds(logOf(second)).sort()).toEqual([...sent[1]].sort());
  }, 180_000);

  it('the broker cuts the consumer off while 1,000 events are in flight: each handled exactly once, none dead-lettered', async () => {
    // A vhost of this test's own: cutting its connections touches nobody else on the broker.
    const vhost = `msx-faults-${process.pid}`;
    execFileSync('rabbitmqctl', ['-q', 'add_vhost', vhost]);
    cleanups.push(() => void execFileSync('rabbitmqctl', ['-q', 'delete_vhost', vhost]));
    execFileSync('rabbitmqctl', ['-q', 'set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*']);
    const url = `${BROKER}/${vhost}`;
    const port = await freePort();
    const dir = join(first, 'contexts', 'engagement', 'notifier');
    // Each delivery takes a little while, so hundreds are unacknowledged when the connection goes.
    const env = { PORT: String(port), AMQP_URL: url, AMQP_EXCHANGE: 'faults.events', AMQP_QUEUE_PREFIX: 'faults', PREFETCH: '50', TEST_HANDLER_DELAY_MS: '5' };
    const consumer: StartedProcess = startProcess(process.execPath, ['--import', 'tsx', 'src/main.ts'], dir, env);
    cleanups.push(() => killGroup(consumer.child));
    await waitForStatus(`http://127.0.0.1:${port}/health/ready`);
    const ids = await publishMany(url, 'faults.events', 1000);

    // When about a fifth is handled, the broker closes every connection of the vhost.
    for (let i = 0; i < 300 && handledIds(consumer.output().split('\n')).length < 200; i += 1) await sleep(50);
    execFileSync('rabbitmqctl', ['-q', 'close_all_connections', '-p', vhost, 'msx fault test: broker restart']);

    for (let i = 0; i < 600 && new Set(handledIds(consumer.output().split('\n'))).size < 1000; i += 1) await sleep(100);
    const handled = handledIds(consumer.output().split('\n'));
    expect(new Set(handled).size).toBe(1000);
    expect(handled).toHaveLength(1000); // a redelivered one that was handled before is acknowledged as a duplicate, not handled again
    expect([...new Set(handled)].sort()).toEqual([...ids].sort());
    expect(consumer.output()).toMatch(/reconnect/i);
    const connection = await amqp.connect(url);
    const channel = await connection.createConfirmChannel();
    expect((await channel.checkQueue('faults.notifier.order.placed.dlq')).messageCount).toBe(0);
    expect((await channel.checkQueue('faults.notifier.order.placed')).messageCount).toBe(0);
    await connection.close();
  }, 300_000);
});
