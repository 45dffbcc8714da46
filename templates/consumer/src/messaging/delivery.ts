import { createHash } from "node:crypto";
import type { ConfirmChannel, ConsumeMessage } from "amqplib";
import type { EventContract } from "../platform/event-contracts.js";
import { spanLogger, type Logger } from "../platform/logger.js";
import { SpanKind, endSpan, recordingSpans, startTrace, type TraceContext } from "../platform/trace-context.js";
import type { Acks } from "./acks.js";
import type { HandledMessages } from "./handled-messages.js";
import type { QueueNames, RetryPolicy } from "./topology.js";

export interface HandlerContext {
  /** The service's logger with this delivery's trace_id, span_id and parent_span_id on every line. */
  logger: Logger;
  /** This delivery's span, continuing the publisher's: pass it to clients and the publisher. */
  trace: TraceContext;
  messageId: string;
  /** 1 on the first delivery, then one more per retry. */
  attempt: number;
}

/** Handles one event's payload (already checked against its contract); throws to have it retried. */
export type EventHandler = (payload: unknown, context: HandlerContext) => Promise<void>;

export interface DeliveryOptions {
  event: string;
  handler: EventHandler;
  contract: EventContract;
  names: QueueNames;
  policy: RetryPolicy;
  handled: HandledMessages;
  logger: Logger;
  /** The channel's acks, coalesced per turn of the event loop. */
  acks: Acks;
}

type Outcome = "handled" | "duplicate" | "failed" | "dead-lettered";

/**
 * One delivery, in a span that continues the publisher's trace: skipped when
 * already handled, dead-lettered at once when it breaks the contract, else
 * handled and acknowledged; a failure goes to the next retry queue, or to the
 * dead-letter queue once every attempt is used, before the ack: nothing is dropped.
 */
export function deliver(channel: ConfirmChannel, message: ConsumeMessage, options: DeliveryOptions): Promise<void> {
  const messageId = String(message.properties.messageId ?? createHash("sha256").update(message.content).digest("hex"));
  return options.handled.exclusive(messageId, () => handleOnce(channel, message, options, messageId));
}

async function handleOnce(channel: ConfirmChannel, message: ConsumeMessage, options: DeliveryOptions, messageId: string): Promise<void> {
  const started = performance.now();
  const headers = message.properties.headers ?? {};
  const trace = startTrace(headers, consumerSpan(message, options.event, messageId));
  const logger = spanLogger(options.logger, trace);
  const attempt = Number(headers["x-attempt"] ?? 1);
  const ended = { logger, trace, event: options.event, attempt, messageId, started };
  if (options.handled.has(messageId)) return void (options.acks.ack(message), settled(ended, "duplicate"));
  let payload: unknown;
  try {
    payload = JSON.parse(message.content.toString("utf8"));
    options.contract.check(payload);
  } catch (error) {
    await republish(channel, options.names.deadLetter, message, { "x-error": describe(error), "x-attempt": attempt });
    return void (options.acks.ack(message), settled(ended, "dead-lettered", describe(error), error));
  }
  try {
    await options.handler(payload, { logger, trace, messageId, attempt });
  } catch (error) {
    const last = attempt >= options.policy.maxAttempts;
    const target = last ? options.names.deadLetter : options.names.retry(attempt);
    await republish(channel, target, message, { "x-error": describe(error), "x-attempt": last ? attempt : attempt + 1 });
    return void (options.acks.ack(message), settled(ended, last ? "dead-lettered" : "failed", describe(error), error));
  }
  options.handled.add(messageId);
  options.acks.ack(message);
  settled(ended, "handled");
}

/** The delivery's consumer span: messaging.* attributes (OpenTelemetry's messaging conventions, RabbitMQ). */
function consumerSpan(message: ConsumeMessage, event: string, messageId: string) {
  if (!recordingSpans()) return { name: event, kind: SpanKind.CONSUMER };
  const attributes = {
    "messaging.system": "rabbitmq",
    // messaging.operation.type, not the deprecated messaging.operation it replaced (one key fewer to serialize per message).
    "messaging.operation.type": "process",
    "messaging.destination.name": message.fields.exchange,
    "messaging.rabbitmq.destination.routing_key": message.fields.routingKey,
    "messaging.message.id": messageId,
  };
  return { name: `process ${event}`, kind: SpanKind.CONSUMER, attributes };
}

interface Ended {
  logger: Logger;
  trace: TraceContext;
  event: string;
  attempt: number;
  messageId: string;
  started: number;
}

/** The one line each delivery ends with, and the end of its span (failed unless handled or a duplicate). */
function settled({ logger, trace, event, attempt, messageId, started }: Ended, outcome: Outcome, err?: string, error?: unknown): void {
  const line = { event, outcome, attempt, message_id: messageId, duration_ms: Math.round((performance.now() - started) * 100) / 100, err };
  if (outcome === "dead-lettered") logger.error(line, "message dead-lettered");
  else if (outcome === "failed") logger.warn(line, "message failed, will retry");
  else logger.info(line, `message ${outcome}`);
  if (!trace.span.isRecording()) return;
  trace.span.setAttribute("msx.delivery.outcome", outcome);
  endSpan(trace.span, outcome === "handled" || outcome === "duplicate" ? undefined : (error ?? err));
}

/** Sends a copy (same id, properties and trace) to `queue` and waits for the broker's confirm. */
function republish(channel: ConfirmChannel, queue: string, message: ConsumeMessage, extra: Record<string, unknown>): Promise<void> {
  const { properties } = message;
  const headers = { ...properties.headers, ...extra, "x-failed-at": new Date().toISOString() };
  return new Promise((resolve, reject) =>
    channel.sendToQueue(queue, message.content, { ...properties, headers, persistent: true }, (err: unknown) => (err ? reject(err) : resolve())),
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
