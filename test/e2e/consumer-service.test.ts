import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseWorkspace } from '../../src/models/load-workspace.js';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';
import { freePort, killGroup, mustRun, npmInstall, startProcess, waitForStatus, type StartedProcess } from '../helpers/processes.js';

// An event consumer made by the built CLI, against the real RabbitMQ: it
// installs and passes its own tests; started, it consumes an event in the
// publisher's trace, gets a message back after being killed mid-handler, and
// dead-letters what keeps failing. Every test has an exchange and a service
// name (so queue names) of its own, and deletes them afterwards.

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://127.0.0.1:5672';
const EVENT = 'order.placed';
const RETRY = { MAX_ATTEMPTS: '3', RETRY_DELAY_MS: '100', RETRY_MAX_DELAY_MS: '200' };
// The queues a consumer declares with RETRY above: main, dead-letter, and one per backoff step.
/** Started by hand (not by msx up), the consumer's queues carry the workspace name from its template: `shop.<service>.<event>`. */
const queuesOf = (service: string) => ['', '.dlq', '.retry.100ms', '.retry.200ms'].map((suffix) => `shop.${service}.${EVENT}${suffix}`);

// Installing, testing and building a generated service can outlast the default 30 s on a busy machine.
describe('msx new service --kind consumer, end to end against RabbitMQ', { timeout: 120_000 }, () => {
  let root: string;
  let serviceDir: string;
  let amqp: Amqp;
  let broker: Broker;
  const running: StartedProcess[] = [];
  const made: { exchange: string; service: string }[] = [];

  beforeAll(async () => {
    root = makeTempDir();
    expect(runCli(['init', 'shop'], root).code).toBe(0);
    const result = runCli(['new', 'service', 'mailer', '--kind', 'consumer', '--context', 'engagement', '--subscribes', EVENT], join(root, 'shop'));
    expect(result.stderr).toBe('');
    serviceDir = join(root, 'shop', 'contexts', 'engagement', 'mailer');
    npmInstall(serviceDir);
    mustRun('npm', ['run', 'build'], serviceDir);
    amqp = createRequire(join(serviceDir, 'package.json'))('amqplib') as Amqp;
    broker = await amqp.connect(AMQP_URL);
  });

  afterEach(() => {
    for (const started of running.splice(0)) killGroup(started.child);
  });

  afterAll(async () => {
    if (broker) {
      const channel = await broker.createChannel();
      for (const { exchange, service } of made) {
        for (const queue of queuesOf(service)) await channel.deleteQueue(queue);
        await channel.deleteExchange(exchange);
      }
      await broker.close();
    }
    removeDir(root);
  });

  /** A consumer process on names of this test's own; resolves once it is ready. */
  async function startMailer(names: { exchange: string; service: string }, env: Record<string, string> = {}) {
    const port = await freePort();
    const mailer = startProcess(process.execPath, ['dist/main.js'], serviceDir, {
      PORT: String(port), AMQP_URL, AMQP_EXCHANGE: names.exchange, SERVICE_NAME: names.service, ...RETRY, ...env,
    });
    running.push(mailer);
    await waitForStatus(`http://127.0.0.1:${port}/health/ready`);
    return mailer;
  }

  function freshNames() {
    const suffix = randomBytes(4).toString('hex');
    const names = { exchange: `msx-e2e-${suffix}.events`, service: `mailer-e2e-${suffix}` };
    made.push(names);
    return names;
  }

  async function publish(exchange: string, messageId: string, traceparent: string): Promise<void> {
    const channel = await broker.createConfirmChannel();
    const payload = { id: randomUUID(), occurredAt: new Date().toISOString(), data: { name: 'an order' } };
    channel.publish(exchange, EVENT, Buffer.from(JSON.stringify(payload)), { persistent: true, messageId, contentType: 'application/json', headers: { traceparent } });
    await channel.waitForConfirms();
    await channel.close();
  }

  const linesOf = (started: StartedProcess) =>
    started.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
  const traceparent = (traceId: string, spanId: string) => `00-${traceId}-${spanId}-01`;

  it('is registered in msx.yaml, type-checks and passes its own tests', () => {
    const workspace = parseWorkspace(readFileSync(join(root, 'shop', 'msx.yaml'), 'utf8'), join(root, 'shop'));
    expect(workspace.services).toMatchObject([{ name: 'mailer', kind: 'consumer', subscribes: [EVENT] }]);
    mustRun('npm', ['run', 'typecheck'], serviceDir);
    expect(mustRun('npm', ['test'], serviceDir, { TEST_AMQP_URL: AMQP_URL })).toMatch(/Tests\s+\d+ passed/);
  });

  it('consumes a published event in the publisher\'s trace: a new span whose parent is the publisher\'s', async () => {
    const names = freshNames();
    const mailer = await startMailer(names);
    const [traceId, publisherSpan] = [randomBytes(16).toString('hex'), randomBytes(8).toString('hex')];
    await publish(names.exchange, 'e2e-1', traceparent(traceId, publisherSpan));

    await until(() => linesOf(mailer).some((line) => line.msg === 'message handled'));
    const traced = linesOf(mailer).filter((line) => line.trace_id === traceId);
    expect(traced.map((line) => line.msg)).toEqual([`handled ${EVENT}`, 'message handled']);
    for (const line of traced) expect(line).toMatchObject({ parent_span_id: publisherSpan, span_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(traced[1]).toMatchObject({ event: EVENT, outcome: 'handled', attempt: 1, message_id: 'e2e-1' });
  });

  it('gets a message back after being killed in the middle of its handler, and handles it then', async () => {
    const names = freshNames();
    const first = await startMailer(names, { TEST_HANDLER_DELAY_MS: '60000' });
    const traceId = randomBytes(16).toString('hex');
    await publish(names.exchange, 'e2e-2', traceparent(traceId, randomBytes(8).toString('hex')));
    await until(() => linesOf(first).some((line) => line.msg === 'test delay before handling' && line.trace_id === traceId));

    killGroup(first.child, 'SIGKILL');
    await first.exited;
    expect(linesOf(first).some((line) => line.msg === 'message handled')).toBe(false);

    const second = await startMailer(names);
    await until(() => linesOf(second).some((line) => line.msg === 'message handled'));
    expect(linesOf(second).find((line) => line.msg === 'message handled')).toMatchObject({ trace_id: traceId, message_id: 'e2e-2', outcome: 'handled' });
  });

  it('retries a handler that always throws, then leaves the message in the dead-letter queue with the error', async () => {
    const names = freshNames();
    const mailer = await startMailer(names, { TEST_HANDLER_FAIL: '1' });
    const traceId = randomBytes(16).toString('hex');
    await publish(names.exchange, 'e2e-3', traceparent(traceId, randomBytes(8).toString('hex')));

    await until(() => linesOf(mailer).some((line) => line.msg === 'message dead-lettered'));
    const outcomes = linesOf(mailer).filter((line) => line.trace_id === traceId && 'outcome' in line);
    expect(outcomes.map((line) => [line.outcome, line.attempt])).toEqual([['failed', 1], ['failed', 2], ['dead-lettered', 3]]);
    const channel = await broker.createChannel();
    const dead = await channel.get(`shop.${names.service}.${EVENT}.dlq`, { noAck: true });
    await channel.close();
    expect(dead && dead.properties).toMatchObject({
      messageId: 'e2e-3',
      headers: { 'x-attempt': 3, 'x-error': 'Error: TEST_HANDLER_FAIL is set', traceparent: expect.stringContaining(traceId) },
    });
  });

  it('is live but not ready while the broker cannot be reached', async () => {
    const port = await freePort();
    // Nothing listens on the broker port, so nothing is declared and there is nothing to delete.
    const env = { PORT: String(port), AMQP_URL: `amqp://127.0.0.1:${await freePort()}`, SERVICE_NAME: 'mailer-unreachable' };
    running.push(startProcess(process.execPath, ['dist/main.js'], serviceDir, env));
    await waitForStatus(`http://127.0.0.1:${port}/health/live`);
    await waitForStatus(`http://127.0.0.1:${port}/health/ready`, 503);
    const body = (await (await fetch(`http://127.0.0.1:${port}/health/ready`)).json()) as { failing: string[] };
    expect(body.failing).toEqual(['message broker']);
  });
});

async function until(condition: () => boolean, attempts = 150): Promise<void> {
  for (let i = 0; i < attempts; i += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('condition never held');
}

// The part of amqplib this test uses, loaded from the generated service (msx itself does not depend on it).
interface Channel {
  publish(exchange: string, key: string, content: Buffer, options: Record<string, unknown>): boolean;
  get(queue: string, options: { noAck: boolean }): Promise<false | { properties: Record<string, unknown> }>;
  deleteQueue(queue: string): Promise<unknown>;
  deleteExchange(exchange: string): Promise<unknown>;
  waitForConfirms(): Promise<void>;
  close(): Promise<void>;
}
interface Broker {
  createChannel(): Promise<Channel>;
  createConfirmChannel(): Promise<Channel>;
  close(): Promise<void>;
}
interface Amqp {
  connect(url: string): Promise<Broker>;
}
