import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../platform/logger.js";
import type { EventHandler } from "./delivery.js";

export interface TestKnobs {
  /** TEST_HANDLER_DELAY_MS: every handler waits this long first (a test kills the process meanwhile). */
  delayMs: number;
  /** TEST_HANDLER_FAIL=1: every handler throws (a test watches the retries and the dead letter). */
  fail: boolean;
}

/** Test-only behaviour around every handler; both knobs are off unless set, and must stay unset in production. */
export function withTestKnobs(handlers: Readonly<Record<string, EventHandler>>, knobs: TestKnobs, logger: Logger): Record<string, EventHandler> {
  if (knobs.delayMs === 0 && !knobs.fail) return { ...handlers };
  logger.warn({ knobs }, "test knobs are set: handlers are slowed down or made to fail");
  const wrap = (handler: EventHandler): EventHandler => async (payload, context) => {
    if (knobs.delayMs > 0) {
      context.logger.info({ delay_ms: knobs.delayMs, message_id: context.messageId }, "test delay before handling");
      await sleep(knobs.delayMs);
    }
    if (knobs.fail) throw new Error("TEST_HANDLER_FAIL is set");
    await handler(payload, context);
  };
  return Object.fromEntries(Object.entries(handlers).map(([event, handler]) => [event, wrap(handler)]));
}
