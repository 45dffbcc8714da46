import type { DestinationStream } from "pino";

export interface LogCapture {
  stream: DestinationStream;
  /** Every line written so far, parsed: each must be one JSON object. */
  records(): Record<string, unknown>[];
}

export function captureLogs(): LogCapture {
  const chunks: string[] = [];
  return {
    stream: { write: (chunk: string) => void chunks.push(chunk) },
    records: () =>
      chunks
        .join("")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
