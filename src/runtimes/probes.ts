import { connect as connectHttp2 } from 'node:http2';
import type { Service } from '../models/workspace.js';

export interface ProbeResult {
  ready: boolean;
  detail: string;
}

/** One readiness check of a service by its kind: HTTP /health/ready, or gRPC Health/Check. */
export async function probeReadiness(service: Service, host: string, port: number, timeoutMs = 1000): Promise<ProbeResult> {
  switch (service.kind) {
    case 'grpc':
      return grpcHealthCheck(host, port, timeoutMs);
    case 'rest':
    case 'consumer':
    case 'gateway':
      return httpReady(`http://${host}:${port}${service.probes?.readiness?.path ?? '/health/ready'}`, timeoutMs);
  }
}

async function httpReady(url: string, timeoutMs: number): Promise<ProbeResult> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await response.text()).slice(0, 300);
    return { ready: response.status === 200, detail: `GET ${url} → ${response.status} ${body}` };
  } catch (error) {
    return { ready: false, detail: `GET ${url} → ${(error as Error).message}` };
  }
}

/**
 * grpc.health.v1.Health/Check over plain HTTP/2, so msx needs no gRPC library:
 * the request is an empty message, the reply `{status: SERVING}` is bytes 08 01.
 */
function grpcHealthCheck(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const session = connectHttp2(`http://${host}:${port}`);
    const finish = (result: ProbeResult) => {
      clearTimeout(timer);
      session.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ready: false, detail: 'gRPC health Check timed out' }), timeoutMs);
    session.on('error', (error) => finish({ ready: false, detail: `gRPC health Check: ${error.message}` }));
    const call = session.request({
      ':method': 'POST',
      ':path': '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const chunks: Buffer[] = [];
    let grpcStatus: unknown;
    // A failing server may answer "trailers-only": grpc-status in the headers.
    call.on('response', (headers) => (grpcStatus = headers['grpc-status'] ?? grpcStatus));
    call.on('trailers', (trailers) => (grpcStatus = trailers['grpc-status'] ?? grpcStatus));
    call.on('data', (chunk: Buffer) => chunks.push(chunk));
    call.on('end', () => {
      const body = Buffer.concat(chunks);
      const status = body.length >= 7 && body[5] === 0x08 ? body[6] : 0;
      const ready = grpcStatus === '0' && status === 1;
      finish({ ready, detail: `gRPC Health/Check → grpc-status ${String(grpcStatus)}, serving status ${status}` });
    });
    call.on('error', (error) => finish({ ready: false, detail: `gRPC health Check: ${error.message}` }));
    call.end(Buffer.from([0, 0, 0, 0, 0]));
  });
}
