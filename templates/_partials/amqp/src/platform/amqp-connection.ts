import amqp, { type ChannelModel } from "amqplib";
import { z } from "zod";
import { urlVar } from "./config.js";
import type { ReadinessCheck } from "./health.js";
import type { Logger } from "./logger.js";

/** The env every service that publishes or consumes reads. */
export function amqpConfigShape(defaults: { exchange: string }) {
  return {
    AMQP_URL: urlVar(["amqp:", "amqps:"]),
    /** One topic exchange per workspace; the routing key is the event name. */
    AMQP_EXCHANGE: z.string().trim().min(1, "must not be empty").default(defaults.exchange),
  };
}

export interface AmqpConnectionOptions {
  url: string;
  /** Shown in the broker's connection list. */
  name: string;
  logger: Logger;
  /** Runs on every (re)connection: open channels, declare topology, start consuming. */
  setup(connection: ChannelModel): Promise<void>;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export interface AmqpConnection {
  readonly connected: boolean;
  /** Fails while the broker is away (between a loss and the next successful setup). */
  readonly readiness: ReadinessCheck;
  /** Resolves after the first successful setup. */
  waitForConnect(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One connection to the broker that reconnects with exponential backoff and
 * jitter (amqplib's recovery) and runs `setup` again each time. A channel
 * that closes on its own (a broker-side error) closes the connection so the
 * whole setup runs again rather than leaving a half-working service.
 */
export async function openAmqp(options: AmqpConnectionOptions): Promise<AmqpConnection> {
  const { logger } = options;
  const log = logger.child({ component: "amqp" });
  let connected = false;
  let closing = false;
  const connection = await amqp.connect(options.url, {
    clientProperties: { connection_name: options.name },
    recovery: {
      waitForConnect: false,
      initialDelay: options.initialDelayMs ?? 200,
      maxDelay: options.maxDelayMs ?? 10_000,
      setup: async (model: ChannelModel) => {
        model.on("error", (err: Error) => log.warn({ err }, "broker connection error"));
        await options.setup(model);
      },
    },
  });
  connection.on("connect", () => {
    connected = true;
    log.info("connected to the broker");
  });
  connection.on("disconnect", (err: Error) => {
    connected = false;
    if (!closing) log.warn({ err: err.message }, "lost the broker, reconnecting");
  });
  connection.on("reconnect-scheduled", ({ attempt, delay, error }: { attempt: number; delay: number; error: Error }) =>
    log.warn({ attempt, delay_ms: Math.round(delay), err: error.message }, "broker unreachable, retrying"),
  );
  connection.on("error", (err: Error) => log.warn({ err: err.message }, "broker error"));
  return {
    get connected() {
      return connected;
    },
    readiness: async () => {
      if (!connected) throw new Error("not connected to the message broker");
    },
    waitForConnect: async () => void (await connection.waitForConnect()),
    close: async () => {
      closing = true;
      connected = false;
      // A broker that is already gone never answers: do not spend the shutdown grace waiting for it.
      await settleWithin(connection.close(), 2000);
    },
  };
}

/** Waits for `work` at most `ms`; its failure or lateness is not an error here (used while closing). */
export async function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([work.then(() => undefined, () => undefined), late]);
  clearTimeout(timer);
}

/** Closes the connection when a channel dies on its own, so recovery sets everything up again. */
export function reconnectOnChannelLoss(model: ChannelModel, channel: { on(event: "close", fn: () => void): unknown }): void {
  let modelOpen = true;
  model.on("close", () => (modelOpen = false));
  channel.on("close", () => {
    if (modelOpen) void model.close().catch(() => undefined);
  });
}
