import { createWriteStream, fstatSync, mkdirSync, openSync, type WriteStream } from 'node:fs';
import { encodeLogRecord, traceIdOfFields, type ServiceLogLine } from './log-record.js';
import { serviceLogPath, traceIndexPath } from './paths.js';
import { TraceIndexWriter } from './trace-index.js';

/**
 * Appends a service's lines to `.msx/logs/<service>.ndjson` (log-record.ts),
 * and keeps `<service>.tidx` beside it, the trace ids by block (trace-index.ts).
 * Both runtimes write through it.
 */
export class ServiceLogFile {
  private readonly stream: WriteStream;
  private readonly index: TraceIndexWriter;

  constructor(dir: string, service: string) {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(serviceLogPath(dir, service), 'a');
    const stats = fstatSync(fd);
    this.stream = createWriteStream('', { fd });
    this.index = new TraceIndexWriter(traceIndexPath(dir, service), stats.size, stats);
  }

  write(line: ServiceLogLine): void {
    const record = encodeLogRecord(line);
    this.stream.write(record);
    this.index.add(Buffer.byteLength(record), traceIdOfFields(line.fields), line.fields === undefined);
  }

  close(): Promise<void> {
    this.index.close();
    return new Promise((resolve) => this.stream.end(resolve));
  }
}
