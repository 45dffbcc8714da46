import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { ServiceLogLine } from '../runtime.js';

/**
 * Parses one raw output line. JSON object lines keep their fields; anything
 * else (a stack trace, a banner) stays a plain message.
 */
export function toLogLine(service: string, stream: 'stdout' | 'stderr', text: string): ServiceLogLine {
  const line: ServiceLogLine = { service, stream, receivedAt: new Date().toISOString(), text };
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) line.fields = parsed as Record<string, unknown>;
    } catch {
      // not JSON after all: kept as text
    }
  }
  return line;
}

/**
 * `.msx/logs/<service>.ndjson`: one JSON object per line,
 * `{"ts": receive time, "service", "stream", "line": <the service's JSON line, or its text>}`.
 * The service's own JSON is written verbatim, so `grep` finds what it logged.
 */
export class ServiceLogFile {
  private readonly stream: WriteStream;

  constructor(dir: string, service: string) {
    mkdirSync(dir, { recursive: true });
    this.stream = createWriteStream(join(dir, `${service}.ndjson`), { flags: 'a' });
  }

  write(line: ServiceLogLine): void {
    const body = line.fields ? line.text : JSON.stringify(line.text);
    this.stream.write(`{"ts":"${line.receivedAt}","service":"${line.service}","stream":"${line.stream}","line":${body}}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}
