import type { Socket } from "node:net";

/** The callbacks waiting for each connection to close: one "close" listener per connection. */
const waiting = new WeakMap<Socket, Set<() => void>>();

/**
 * Calls `then` when the caller's connection closes, and returns the function that forgets it
 * (call it once the request is done). However many requests a caller pipelines on one
 * connection, the socket holds one listener for them all: one each would pass its listener
 * limit (a MaxListenersExceededWarning) past ten queued requests.
 */
export function whenConnectionCloses(socket: Socket, then: () => void): () => void {
  let callbacks = waiting.get(socket);
  if (!callbacks) {
    const fresh = new Set<() => void>();
    waiting.set(socket, fresh);
    socket.once("close", () => {
      waiting.delete(socket);
      for (const callback of fresh) callback();
    });
    callbacks = fresh;
  }
  const mine = callbacks;
  mine.add(then);
  return () => void mine.delete(then);
}
