import { createRequire } from 'node:module';
import { join } from 'node:path';
import { localAmqpNamespace } from '../../src/models/wiring.js';

/**
 * A workspace's queues of one subscriber (main, retry, dead-letter) and its events exchange, named for the folder
 * (localAmqpNamespace), removed with amqplib from the generated consumer's own node_modules. Deleting a queue that
 * was never declared is fine for RabbitMQ, so every retry delay the templates may use is tried.
 */
export async function deleteBrokerObjects(workspace: { name: string; root: string }, consumerDir: string, queue: { service: string; event: string }): Promise<void> {
  const namespace = localAmqpNamespace(workspace);
  const amqp = createRequire(join(consumerDir, 'package.json'))('amqplib') as {
    connect(url: string): Promise<{ createChannel(): Promise<{ deleteQueue(q: string): Promise<unknown>; deleteExchange(e: string): Promise<unknown> }>; close(): Promise<void> }>;
  };
  const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
  try {
    const channel = await connection.createChannel();
    const main = `${namespace}.${queue.service}.${queue.event}`;
    for (const delay of [1000, 2000, 4000, 8000, 16000, 32000]) await channel.deleteQueue(`${main}.retry.${delay}ms`);
    await channel.deleteQueue(`${main}.dlq`);
    await channel.deleteQueue(main);
    await channel.deleteExchange(`${namespace}.events`);
  } finally {
    await connection.close();
  }
}
