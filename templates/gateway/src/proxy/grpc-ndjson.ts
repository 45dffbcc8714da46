import type { Readable, Writable } from "node:stream";
import split2 from "split2";
import { JsonMappingError } from "./proto-json.js";

/**
 * Newline-delimited JSON, one message a line: a stream's request body read and sent to the
 * upstream a message at a time as its lines arrive, and a stream's answer written a message at
 * a time as the upstream sends them, so one HTTP/1.1 request can hold a conversation.
 */
export const NDJSON = "application/x-ndjson";

/** The caller asks for a stream's answer line by line. */
export const acceptsNdjson = (accept: string | undefined): boolean => accept !== undefined && accept.includes(NDJSON);

/** A body's line longer than the route's body limit: the caller's 413. */
export class LineTooLongError extends Error {
  override name = "LineTooLongError";
}

/** The lines of a streamed body, as they arrive; `release` lets the rest of the body go unread. */
export interface BodyLines extends AsyncIterable<string> {
  release(): void;
}

/**
 * Splits the body into lines (split2), each at most `maxBytes` long: the body's size limit
 * bounds a line, not the stream, which may go on for as long as the call does. split2 stops a
 * line that has not ended past the limit (what it holds); a whole line that came in one chunk
 * is measured here. The body is piped, never destroyed from here: its connection still
 * carries the answer.
 */
export function linesOf(body: Readable, maxBytes: number): BodyLines {
  const lines = split2({ maxLength: maxBytes });
  body.on("error", (error) => lines.destroy(error));
  body.pipe(lines);
  const tooLong = () => new LineTooLongError(`a line of the body is longer than ${maxBytes} bytes, the route's limit for one message`);
  return {
    async *[Symbol.asyncIterator]() {
      try {
        for await (const line of lines) {
          if ((line as string).length > maxBytes / 3 && Buffer.byteLength(line as string) > maxBytes) throw tooLong();
          yield line as string;
        }
      } catch (error) {
        if ((error as Error).message === "maximum buffer reached") throw tooLong();
        throw error;
      }
    },
    release() {
      body.unpipe(lines);
      lines.destroy();
      // Read to its end and dropped, so the connection can take the next request.
      body.resume();
    },
  };
}

/** What a request stream is written to: a grpc-js client-streaming or bidirectional call. */
type RequestStream = Writable & { cancel(): void };

/**
 * Writes each non-blank line to `call` as it arrives, encoded by `encode` (its JSON and its place,
 * `[2]` for the third message), waiting when grpc-js has more buffered than the HTTP/2 stream
 * takes; half-closes the call when the body ends. A line that is not JSON, does not fit, or is
 * too long is told to `failed` (before the call is cancelled, so the call's CANCELLED is known
 * for what it is); so is a body whose caller went away. Stops, without a word, once the call
 * has its status (the upstream answered or failed first).
 */
export async function sendLines(call: RequestStream, lines: BodyLines, encode: (json: unknown, path: string) => Buffer, failed: (error: Error) => void): Promise<void> {
  let finished = false;
  const finish = () => (finished = true);
  call.on("status", finish);
  let index = 0;
  try {
    for await (const line of lines) {
      if (finished) break;
      if (line.trim() === "") continue;
      const message = encode(parseLine(line, index), `[${index}]`);
      index += 1;
      if (!call.write(message)) await drainedOrDone(call);
    }
    if (!finished) call.end();
  } catch (error) {
    if (finished) return;
    failed(error as Error);
    call.cancel();
  } finally {
    call.off("status", finish);
  }
}

function parseLine(line: string, index: number): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    throw new JsonMappingError(`message [${index}] of the body is not JSON: ${(error as Error).message}`);
  }
}

/** Resolves when `stream` takes more, or will take nothing more (ended, closed, failed). */
export function drainedOrDone(stream: { on(event: string, listener: () => void): unknown; off(event: string, listener: () => void): unknown }): Promise<void> {
  return new Promise((resolve) => {
    const events = ["drain", "close", "finish", "error", "status"];
    const done = () => {
      for (const event of events) stream.off(event, done);
      resolve();
    };
    for (const event of events) stream.on(event, done);
  });
}
