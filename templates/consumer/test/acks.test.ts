import { setImmediate as nextTurn } from "node:timers/promises";
import type { ConsumeMessage } from "amqplib";
import { describe, expect, it } from "vitest";
import { Acks } from "../src/messaging/acks.js";

// The coalescing logic on its own, against a channel that records what it is asked to send
// (the real broker side is in consumer.test.ts): a `multiple` ack must never cover a delivery
// still in flight, and nothing settled may be left unacknowledged.
const message = (tag: number) => ({ fields: { deliveryTag: tag } }) as ConsumeMessage;

function recorder() {
  const sent: string[] = [];
  const channel = { ack: (m: ConsumeMessage, allUpTo?: boolean) => void sent.push(`${m.fields.deliveryTag}${allUpTo ? "+" : ""}`) };
  return { sent, acks: new Acks(channel, (err) => sent.push(`error ${String(err)}`)) };
}

describe("Acks", () => {
  it("sends the deliveries settled in one turn as one multiple ack", async () => {
    const { sent, acks } = recorder();
    for (let tag = 1; tag <= 5; tag += 1) acks.delivered(message(tag));
    for (const tag of [3, 1, 2, 5, 4]) acks.ack(message(tag));
    expect(sent).toEqual([]);
    await nextTurn();
    expect(sent).toEqual(["5+"]);
  });

  it("acks one by one past a delivery still in flight, and never covers it", async () => {
    const { sent, acks } = recorder();
    for (let tag = 1; tag <= 5; tag += 1) acks.delivered(message(tag));
    for (const tag of [1, 2, 4, 5]) acks.ack(message(tag));
    await nextTurn();
    expect(sent).toEqual(["2+", "4", "5"]);
    acks.ack(message(3)); // the slow one
    acks.delivered(message(6));
    acks.ack(message(6));
    await nextTurn();
    expect(sent.slice(3)).toEqual(["6+"]); // 3 and 6 are all that is unacked: one ack covers both
  });

  it("a single settled delivery is a plain ack; flush sends at once (before closing)", () => {
    const { sent, acks } = recorder();
    acks.delivered(message(1));
    acks.delivered(message(2));
    acks.ack(message(1));
    acks.flush();
    expect(sent).toEqual(["1"]);
  });

  it("a channel that fails the ack is reported, not thrown out of the event loop", async () => {
    const errors: unknown[] = [];
    const acks = new Acks({ ack: () => { throw new Error("Channel closed"); } }, (err) => errors.push(err));
    acks.delivered(message(1));
    acks.ack(message(1));
    await nextTurn();
    expect(String(errors[0])).toContain("Channel closed");
  });
});
