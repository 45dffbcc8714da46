import { describe, expect, it } from "vitest";
import { HandledMessages } from "../src/messaging/handled-messages.js";
import { queueOwner } from "../src/messaging/consumer.js";
import { queueNames, retryDelay } from "../src/messaging/topology.js";

const policy = { maxAttempts: 5, delayMs: 1000, maxDelayMs: 5000 };

describe("queue names and backoff", () => {
  it("doubles the wait per failure up to the cap, and names retry queues by their wait", () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelay(policy, attempt))).toEqual([1000, 2000, 4000, 5000]);
    const names = queueNames("shop.mailer", "order.placed", policy);
    expect(names).toMatchObject({ main: "shop.mailer.order.placed", deadLetter: "shop.mailer.order.placed.dlq" });
    expect(names.retry(2)).toBe("shop.mailer.order.placed.retry.2000ms");
  });

  it("puts the workspace before the service, so two workspaces' consumers of one name have their own queues", () => {
    expect(queueOwner({ queuePrefix: "shop-1a2b3c", serviceName: "mailer" })).toBe("shop-1a2b3c.mailer");
    expect(queueOwner({ queuePrefix: "shop-9f8e7d", serviceName: "mailer" })).not.toBe(queueOwner({ queuePrefix: "shop-1a2b3c", serviceName: "mailer" }));
    expect(queueOwner({ serviceName: "mailer" })).toBe("mailer");
  });
});

describe("HandledMessages", () => {
  it("remembers ids up to its capacity, forgetting the oldest first", () => {
    const handled = new HandledMessages(2);
    for (const id of ["a", "b", "c"]) handled.add(id);
    expect(["a", "b", "c"].map((id) => handled.has(id))).toEqual([false, true, true]);
  });

  it("keeps exactly the last `capacity` ids however many came before", () => {
    const handled = new HandledMessages(3);
    for (let i = 0; i < 1000; i += 1) handled.add(`m${i}`);
    handled.add("m998"); // already there: not counted twice
    expect([995, 996, 997, 998, 999].map((i) => handled.has(`m${i}`))).toEqual([false, false, true, true, true]);
  });

  it("runs work for one id at a time", async () => {
    const handled = new HandledMessages();
    const order: string[] = [];
    let release!: () => void;
    const first = handled.exclusive("a", () => new Promise<void>((resolve) => (release = resolve)).then(() => void order.push("first")));
    const second = handled.exclusive("a", async () => void order.push("second"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(["first", "second"]);
  });

  it("runs the next work for an id after one that failed, and is idle once both ended", async () => {
    const handled = new HandledMessages();
    const failed = handled.exclusive("a", async () => {
      throw new Error("handler broke");
    });
    const next = handled.exclusive("a", async () => "second ran");
    await expect(failed).rejects.toThrow("handler broke");
    await expect(next).resolves.toBe("second ran");
    await handled.idle();
  });
});
