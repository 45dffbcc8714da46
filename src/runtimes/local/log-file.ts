import { createWriteStream, fstatSync, mkdirSync, openSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { traceIdOfFields } from '../../logs/filters.js';
import { INDEX_SUFFIX, TraceIndexWriter } from '../../logs/trace-index.js';
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
 * Beside it, `<service>.tidx` indexes the trace ids by block (trace-index.ts).
 */
export class ServiceLogFile {
  private readonly stream: WriteStream;
  private readonly index: TraceIndexWriter;

  constructor(dir: string, service: string) {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(join(dir, `${service}.ndjson`), 'a');
    const stats = fstatSync(fd);
    this.stream = createWriteStream('', { fd });
    this.index = new TraceIndexWriter(join(dir, `${service}${INDEX_SUFFIX}`), stats.size, stats);
  }

  write(line: ServiceLogLine): void {
    const body = line.fields ? line.text : JSON.stringify(line.text);
    const record = `{"ts":"${line.receivedAt}","service":"${line.service}","stream":"${line.stream}","line":${body}}\n`;
    this.stream.write(record);
    this.index.add(Buffer.byteLength(record), traceIdOfFields(line.fields), line.fields === undefined);
  }

  close(): Promise<void> {
    this.index.close();
    return new Promise((resolve) => this.stream.end(resolve));
  }
}
