import type { Channel } from "amqplib";

export interface QueueNames {
  /** `<owner>.<event>` (owner: `<workspace>.<service>`), bound to the exchange with the event name as routing key. */
  main: string;
  /** `<owner>.<event>.dlq`: messages that failed every attempt or broke the contract. */
  deadLetter: string;
  /** The retry queue a message waits in after failed attempt `attempt` (1-based). */
  retry(attempt: number): string;
}

export interface RetryPolicy {
  maxAttempts: number;
  /** Wait after the first failure; doubled after each further one, up to maxDelayMs. */
  delayMs: number;
  maxDelayMs: number;
}

export const retryDelay = (policy: RetryPolicy, attempt: number) => Math.min(policy.delayMs * 2 ** (attempt - 1), policy.maxDelayMs);

/** The delay is in a retry queue's name: its TTL cannot change once declared, so other delays get other queues. */
export function queueNames(owner: string, event: string, policy: RetryPolicy): QueueNames {
  const main = `${owner}.${event}`;
  return { main, deadLetter: `${main}.dlq`, retry: (attempt) => `${main}.retry.${retryDelay(policy, attempt)}ms` };
}

/**
 * Declares (idempotently) the exchange, the durable main queue and its
 * binding, the dead-letter queue, and one retry queue per backoff step:
 * messages wait there for the step's TTL, then dead-letter back to the main
 * queue through the default exchange.
 */
export async function declareTopology(channel: Channel, exchange: string, event: string, names: QueueNames, policy: RetryPolicy): Promise<void> {
  await channel.assertExchange(exchange, "topic", { durable: true });
  await channel.assertQueue(names.main, { durable: true });
  await channel.bindQueue(names.main, exchange, event);
  await channel.assertQueue(names.deadLetter, { durable: true });
  for (let attempt = 1; attempt < policy.maxAttempts; attempt += 1) {
    await channel.assertQueue(names.retry(attempt), {
      durable: true,
      arguments: {
        "x-message-ttl": retryDelay(policy, attempt),
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": names.main,
      },
    });
  }
}
