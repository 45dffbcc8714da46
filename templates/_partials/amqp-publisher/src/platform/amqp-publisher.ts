import { randomUUID } from "node:crypto";
import type { ChannelModel, ConfirmChannel } from "amqplib";
import { openAmqp, reconnectOnChannelLoss } from "./amqp-connection.js";
import { DependencyError, type CreatedItem } from "./dependency.js";
import { loadEventContract } from "./event-contracts.js";
import type { ReadinessCheck } from "./health.js";
import type { Logger } from "./logger.js";
import { SpanKind, endSpan, startOutgoing, traceFields, type TraceContext } from "./trace-context.js";

export interface PublisherOptions {
  url: string;
  /** The workspace's topic exchange; the routing key is the event name. */
  exchange: string;
  /** The events this service may publish: each has a contract in contracts/events/. */
  events: readonly string[];
  serviceName: string;
  logger: Logger;
  confirmTimeoutMs?: number;
}

export interface EventPublisher {
  /**
   * Checks the payload against the event's contract (a ContractError is a bug
   * here), publishes it as persistent JSON with a message id, in a producer
   * span of `trace` (the span it is published in, if any) whose traceparent it
   * carries, and resolves with the message id once the broker confirmed.
   */
  publish(event: string, payload: unknown, trace?: TraceContext): Promise<string>;
  readonly readiness: ReadinessCheck;
  close(): Promise<void>;
}

/** The payload of an event about a created aggregate (the starting contract's shape). */
export function createdEvent(item: CreatedItem): { id: string; occurredAt: string; data: CreatedItem } {
  return { id: item.id, occurredAt: new Date().toISOString(), data: item };
}

export async function openPublisher(options: PublisherOptions): Promise<EventPublisher> {
  const { exchange, logger } = options;
  const contracts = new Map(options.events.map((event) => [event, loadEventContract(event)]));
  let channel: ConfirmChannel | undefined;
  const connection = await openAmqp({
    url: options.url,
    name: `${options.serviceName} publisher`,
    logger,
    setup: async (model: ChannelModel) => {
      const opened = await model.createConfirmChannel();
      await opened.assertExchange(exchange, "topic", { durable: true });
      opened.on("close", () => channel === opened && (channel = undefined));
      reconnectOnChannelLoss(model, opened);
      channel = opened;
    },
  });
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 5000;

  const publish = async (event: string, payload: unknown, trace?: TraceContext): Promise<string> => {
    const contract = contracts.get(event);
    if (!contract) throw new Error(`"${event}" is not among the events this service publishes`);
    contract.check(payload);
    const target = channel;
    if (!target) throw new DependencyError(`message broker: not connected, ${event} not published`);
    const messageId = randomUUID();
    const outgoing = startOutgoing(trace, producerSpan(exchange, event, messageId));
    const properties = {
      persistent: true,
      messageId,
      contentType: "application/json",
      type: event,
      appId: options.serviceName,
      timestamp: Math.floor(Date.now() / 1000),
      headers: outgoing ? { ...outgoing.headers } : {},
    };
    try {
      await withTimeout(
        new Promise<void>((resolve, reject) =>
          target.publish(exchange, event, Buffer.from(JSON.stringify(payload)), properties, (err: unknown) =>
            err ? reject(new DependencyError(`message broker: ${event} not confirmed`, { cause: err })) : resolve(),
          ),
        ),
        confirmTimeoutMs,
        event,
      );
    } catch (error) {
      endSpan(outgoing?.span, error);
      throw error;
    }
    endSpan(outgoing?.span);
    // In the span it was published in, so `msx logs --trace-id` shows the publish as part of that hop.
    logger.info({ ...(trace ? traceFields(trace) : {}), published_event: event, message_id: messageId }, "event published");
    return messageId;
  };
  return { publish, readiness: connection.readiness, close: () => connection.close() };
}

/** The publish's producer span: messaging.* attributes (OpenTelemetry's messaging conventions, RabbitMQ). */
function producerSpan(exchange: string, event: string, messageId: string) {
  const attributes = {
    "messaging.system": "rabbitmq",
    // The RabbitMQ operation by name, beside its type (messaging.operation, deprecated, said the same).
    "messaging.operation.name": "publish",
    "messaging.operation.type": "send",
    "messaging.destination.name": exchange,
    "messaging.rabbitmq.destination.routing_key": event,
    "messaging.message.id": messageId,
  };
  return { name: `publish ${event}`, kind: SpanKind.PRODUCER, attributes };
}

function withTimeout<T>(work: Promise<T>, ms: number, event: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DependencyError(`message broker: no confirm for ${event} within ${ms} ms`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
