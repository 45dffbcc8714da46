import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import type { ServiceLogLine } from '../state/log-record.js';
import type { SpanRecord } from '../state/span-store.js';
import { logLinesOfRequest } from './otlp-logs.js';
import { OtlpShapeError, spansOfRequest } from './otlp-spans.js';

/** protobufjs and the schema load on the first protobuf request (msx up pays nothing for them otherwise). */
const proto = () => import('./otlp-proto.js');
const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/** google.rpc.Code values OTLP/HTTP answers with. */
const INVALID_ARGUMENT = 3;
const INTERNAL = 13;

export interface ReceiverOptions {
  host: string;
  /** 0: any free port. */
  port: number;
  /** Given each request's valid spans; throwing answers 500 (the exporter retries). */
  onSpans: (spans: SpanRecord[]) => void;
  /** Given each request's log lines (POST /v1/logs); without it, /v1/logs is a 404. */
  onLogs?: (lines: ServiceLogLine[]) => void;
  /** Whether log records may be written for a service.name (the workspace's services); default: any valid name. */
  isService?: (name: string) => boolean;
  /** Largest body accepted, compressed and decompressed (default 32 MiB). */
  maxBodyBytes?: number;
}

export interface OtlpReceiver {
  host: string;
  port: number;
  close(): Promise<void>;
}

type Encoding = 'protobuf' | 'json';

/**
 * An OTLP/HTTP receiver of traces (POST /v1/traces) and logs (POST /v1/logs) on node:http,
 * answering as the OTLP specification says: 200 with an Export...ServiceResponse in the
 * request's encoding (partial success naming rejected spans), 400 with a
 * google.rpc.Status for a body that does not decode, 415 for a content type
 * or encoding it does not take, 413 past the size limit. Bodies may be
 * chunked (the JS exporters send them so) and gzip- or deflate-compressed.
 */
export function startOtlpReceiver(options: ReceiverOptions): Promise<OtlpReceiver> {
  const limit = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const server = createServer((request, response) => {
    handle(request, response, options, limit).catch((error: unknown) => answerError(response, 'json', 500, INTERNAL, (error as Error).message).catch(() => response.destroy()));
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      resolve({ host: options.host, port, close: () => closeServer(server) });
    });
  });
}

async function handle(request: IncomingMessage, response: ServerResponse, options: ReceiverOptions, limit: number): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  const signal = path === '/v1/traces' ? 'traces' : path === '/v1/logs' && options.onLogs ? 'logs' : undefined;
  if (!signal) return answerError(response, 'json', 404, INVALID_ARGUMENT, `no OTLP endpoint at ${path}: msx takes traces at /v1/traces${options.onLogs ? ' and logs at /v1/logs' : ''}`, request);
  if (request.method !== 'POST') {
    response.setHeader('Allow', 'POST');
    return answerError(response, 'json', 405, INVALID_ARGUMENT, 'OTLP/HTTP takes POST only', request);
  }
  const type = encodingOf(request.headers['content-type']);
  if (!type) return answerError(response, 'json', 415, INVALID_ARGUMENT, `unsupported content type ${request.headers['content-type'] ?? '(none)'}: send application/x-protobuf or application/json`, request);
  const compression = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (!['identity', 'gzip', 'deflate'].includes(compression)) return answerError(response, type, 415, INVALID_ARGUMENT, `unsupported content encoding ${compression}: send gzip or none`, request);
  const raw = await readBody(request, limit);
  if (!raw) return answerError(response, type, 413, INVALID_ARGUMENT, `the body is larger than ${limit} bytes`, request);
  let converted: { kind: 'traces'; spans: SpanRecord[]; rejected: number; reason?: string } | { kind: 'logs'; lines: ServiceLogLine[]; rejected: number; reason?: string };
  try {
    const body = compression === 'gzip' ? await gunzipAsync(raw, { maxOutputLength: limit }) : compression === 'deflate' ? await inflateAsync(raw, { maxOutputLength: limit }) : raw;
    if (signal === 'traces') {
      const message = type === 'protobuf' ? (await proto()).decodeTraceRequest(body) : JSON.parse(body.toString('utf8'));
      converted = { kind: 'traces', ...spansOfRequest(message) };
    } else {
      const message = type === 'protobuf' ? (await proto()).decodeLogsRequest(body) : JSON.parse(body.toString('utf8'));
      converted = { kind: 'logs', ...logLinesOfRequest(message, options.isService) };
    }
  } catch (error) {
    const what = signal === 'traces' ? 'ExportTraceServiceRequest' : 'ExportLogsServiceRequest';
    const why = error instanceof OtlpShapeError || error instanceof SyntaxError ? error.message : `not a valid ${type === 'protobuf' ? 'protobuf' : 'JSON'} ${what}: ${(error as Error).message}`;
    return answerError(response, type, 400, INVALID_ARGUMENT, why);
  }
  if (converted.kind === 'logs') {
    if (converted.lines.length > 0) options.onLogs!(converted.lines);
    return answerLogs(response, type, converted.rejected, converted.reason ?? '');
  }
  if (converted.spans.length > 0) options.onSpans(converted.spans);
  await answerExport(response, type, converted.rejected, converted.reason ?? '');
}

function encodingOf(header: string | undefined): Encoding | undefined {
  const type = (header ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

/** The whole body, or undefined past `limit` bytes (the rest is drained, so the connection stays usable). */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers['content-length']);
  const chunks: Buffer[] = [];
  let size = 0;
  let over = Number.isFinite(declared) && declared > limit;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) over = true;
    if (!over) chunks.push(chunk);
  }
  return over ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
}

async function answerExport(response: ServerResponse, type: Encoding, rejected: number, reason: string): Promise<void> {
  if (type === 'protobuf') return send(response, 200, 'application/x-protobuf', (await proto()).encodeTraceResponse(rejected, reason));
  const body = rejected > 0 ? { partialSuccess: { rejectedSpans: rejected, errorMessage: reason } } : {};
  send(response, 200, 'application/json', JSON.stringify(body));
}

async function answerLogs(response: ServerResponse, type: Encoding, rejected: number, reason: string): Promise<void> {
  if (type === 'protobuf') return send(response, 200, 'application/x-protobuf', (await proto()).encodeLogsResponse(rejected, reason));
  const body = rejected > 0 ? { partialSuccess: { rejectedLogRecords: rejected, errorMessage: reason } } : {};
  send(response, 200, 'application/json', JSON.stringify(body));
}

/** A status with a google.rpc.Status body; an unread request body is drained first so keep-alive goes on. */
async function answerError(response: ServerResponse, type: Encoding, status: number, code: number, message: string, request?: IncomingMessage): Promise<void> {
  if (response.headersSent) return void response.destroy();
  if (request && !request.readableEnded) request.resume();
  if (type === 'protobuf') send(response, status, 'application/x-protobuf', (await proto()).encodeRpcStatus(code, message));
  else send(response, status, 'application/json', JSON.stringify({ code, message }));
}

function send(response: ServerResponse, status: number, contentType: string, body: string | Uint8Array): void {
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    // An exporter mid-request gets two seconds to finish; then its connection goes too, so closing never hangs.
    setTimeout(() => server.closeAllConnections(), 2000).unref();
  });
}
