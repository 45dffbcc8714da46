import { mkdirSync, writeFileSync } from 'node:fs';
import { readCollectorAddress, type CollectorAddress } from '../state/collector-address.js';
import type { ServiceLogLine } from '../state/log-record.js';
import { msxFile, stateDir } from '../state/paths.js';
import { SpanStoreWriter, type SpanStoreWriterOptions } from '../state/span-store.js';
import { startOtlpReceiver } from './receiver.js';

export { readCollectorAddress, type CollectorAddress };

export interface RunningCollector extends CollectorAddress {
  close(): Promise<void>;
}

export interface CollectorOptions {
  /** The interface to listen on (default 127.0.0.1; the docker runtime gives its network's gateway). */
  host?: string;
  /** A port to try first; when it is taken, any free one. Default: the last collector's port, so wiring stays the same. */
  port?: number;
  store?: SpanStoreWriterOptions;
  /** Where the log records services send to /v1/logs go (the runtime's own log files); without it /v1/logs is a 404. */
  onLogs?: (lines: ServiceLogLine[]) => void;
  /** Whether records may be written for a service.name: the runtime's services only, so no other name opens a file. */
  isService?: (name: string) => boolean;
}

/**
 * msx's own OTLP/HTTP collector for one workspace: the receiver, storing
 * every span under .msx/spans (and handing log records to `onLogs`), and `.msx/collector.json` naming where it
 * listens while it runs. Run by the local supervisor and the docker runtime's
 * follower; closed with them.
 */
export async function startCollector(root: string, options: CollectorOptions = {}): Promise<RunningCollector> {
  const host = options.host ?? '127.0.0.1';
  const writer = new SpanStoreWriter(root, options.store);
  const onSpans = (spans: Parameters<SpanStoreWriter['append']>[0]) => writer.append(spans);
  const preferred = options.port ?? lastPort(root);
  const { onLogs, isService } = options;
  const receiver = await startOtlpReceiver({ host, port: preferred ?? 0, onSpans, onLogs, isService }).catch((error: NodeJS.ErrnoException) => {
    if (preferred && error.code === 'EADDRINUSE') return startOtlpReceiver({ host, port: 0, onSpans, onLogs, isService });
    throw error;
  }).catch((error: unknown) => {
    writer.close();
    throw error;
  });
  const address: CollectorAddress = { pid: process.pid, host, port: receiver.port, endpoint: `http://${host}:${receiver.port}` };
  mkdirSync(stateDir(root), { recursive: true });
  writeFileSync(msxFile.collector(root), `${JSON.stringify(address)}\n`);
  let closed: Promise<void> | undefined;
  return {
    ...address,
    close: () =>
      (closed ??= receiver.close().then(() => {
        writer.close();
        // The port stays in the file (pid 0: nobody listens) so the next collector takes it again.
        writeFileSync(msxFile.collector(root), `${JSON.stringify({ ...address, pid: 0 })}\n`);
      })),
  };
}

function lastPort(root: string): number | undefined {
  const port = readCollectorAddress(root)?.port;
  return port && port > 0 ? port : undefined;
}
