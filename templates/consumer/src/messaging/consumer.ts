import type { ChannelModel, ConfirmChannel } from "amqplib";
import { openAmqp, reconnectOnChannelLoss, settleWithin } from "../platform/amqp-connection.js";
import { loadEventContract } from "../platform/event-contracts.js";
import type { ReadinessCheck } from "../platform/health.js";
import type { Logger } from "../platform/logger.js";
import { Acks } from "./acks.js";
import { deliver, type EventHandler } from "./delivery.js";
import { HandledMessages } from "./handled-messages.js";
import { declareTopology, queueNames, type RetryPolicy } from "./topology.js";

export interface ConsumerOptions {
  url: string;
  exchange: string;
  serviceName: string;
  /** Before the service's name in its queue names (`<prefix>.<service>.<event>`): the workspace they belong to. */
  queuePrefix?: string;
  /** One handler per subscribed event, by event name. */
  handlers: Readonly<Record<string, EventHandler>>;
  policy: RetryPolicy;
  /** Deliveries in flight per event queue. */
  prefetch: number;
  logger: Logger;
}

export interface EventConsumer {
  /** Passes while connected, with a channel open and every queue consumed. */
  readiness: ReadinessCheck;
  /** Resolves once consuming (after the first successful connection). */
  waitForConnect(): Promise<void>;
  /** Stops taking deliveries, lets handlers in flight finish, then closes (unacked messages return to their queue). */
  close(): Promise<void>;
}

/**
 * Consumes each subscribed event from its own durable queue with manual
 * acks, on a confirm channel (retries and dead letters are confirmed before
 * the ack). Reconnects with backoff and declares everything again.
 */
export async function startConsumer(options: ConsumerOptions): Promise<EventConsumer> {
  const { logger, policy } = options;
  const handled = new HandledMessages();
  const events = Object.keys(options.handlers);
  const contracts = new Map(events.map((event) => [event, loadEventContract(event)]));
  let active: { channel: ConfirmChannel; tags: string[]; acks: Acks } | undefined;

  const setup = async (model: ChannelModel) => {
    const channel = await model.createConfirmChannel();
    reconnectOnChannelLoss(model, channel);
    channel.on("close", () => active?.channel === channel && (active = undefined));
    await channel.prefetch(options.prefetch);
    const acks = new Acks(channel, (err) => logger.warn({ err }, "acks not sent (channel closed); the broker will redeliver"));
    const tags: string[] = [];
    for (const event of events) {
      const names = queueNames(queueOwner(options), event, policy);
      await declareTopology(channel, options.exchange, event, names, policy);
      const delivery = { event, handler: options.handlers[event], contract: contracts.get(event)!, names, policy, handled, logger, acks };
      const { consumerTag } = await channel.consume(names.main, (message) => {
        if (!message) return; // the broker cancelled us (queue deleted): the channel-loss path reconnects
        acks.delivered(message);
        deliver(channel, message, delivery).catch((err: unknown) => logger.warn({ err, event }, "delivery not settled; the broker will redeliver"));
      });
      tags.push(consumerTag);
    }
    active = { channel, tags, acks };
    logger.info({ events, exchange: options.exchange, prefetch: options.prefetch }, "consuming");
  };
  const connection = await openAmqp({ url: options.url, name: `${options.serviceName} consumer`, logger, setup });

  return {
    readiness: connection.readiness,
    waitForConnect: connection.waitForConnect,
    close: async () => {
      const current = active;
      if (current) await Promise.all(current.tags.map((tag) => settleWithin(current.channel.cancel(tag), 1000)));
      await handled.idle();
      current?.acks.flush(); // what was handled is acknowledged before the connection closes
      await connection.close();
    },
  };
}

/** Whose queues these are: the workspace and the service, so consumers of another workspace on the broker never share them. */
export function queueOwner(options: Pick<ConsumerOptions, "queuePrefix" | "serviceName">): string {
  return options.queuePrefix ? `${options.queuePrefix}.${options.serviceName}` : options.serviceName;
}
