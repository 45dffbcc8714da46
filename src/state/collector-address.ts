import { readFileSync } from 'node:fs';
import { msxFile } from './paths.js';

/** What `.msx/collector.json` says while a collector runs (written by src/collector). */
export interface CollectorAddress {
  /** The process the collector runs in; 0 once it closed (the port is kept for the next one). */
  pid: number;
  host: string;
  port: number;
  /** The OTLP/HTTP base URL as the host sees it (OTEL_EXPORTER_OTLP_ENDPOINT of a local service). */
  endpoint: string;
}

/** The collector address the file names, or undefined. `pid` 0 means none runs. */
export function readCollectorAddress(root: string): CollectorAddress | undefined {
  try {
    const parsed = JSON.parse(readFileSync(msxFile.collector(root), 'utf8')) as CollectorAddress;
    return typeof parsed.port === 'number' && typeof parsed.endpoint === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The collector the file names, when its process is alive. */
export function runningCollector(root: string): CollectorAddress | undefined {
  const address = readCollectorAddress(root);
  if (!address || !(address.pid > 0)) return undefined;
  try {
    process.kill(address.pid, 0);
    return address;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? address : undefined;
  }
}
