import { get } from 'node:http';
import type { Service } from '../../models/workspace.js';
import { probeReadiness, type ProbeResult } from '../probes.js';

/**
 * A service's readiness probe through its published port. HTTP kinds use
 * node:http rather than fetch: Docker's port proxy accepts a connection and
 * closes it while nothing listens in the container, and fetch (undici) then
 * waits for its abort timer, which is unref'd, so a CLI with nothing else
 * to wait for exits mid-probe. node:http reports the closed socket at once.
 */
export function probePublished(service: Service, timeoutMs = 1000): Promise<ProbeResult> {
  if (service.kind === 'grpc') return probeReadiness(service, '127.0.0.1', service.port, timeoutMs);
  const url = `http://127.0.0.1:${service.port}${service.probes?.readiness?.path ?? '/health/ready'}`;
  return new Promise((resolve) => {
    const request = get(url, { timeout: timeoutMs, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ ready: response.statusCode === 200, detail: `GET ${url} → ${response.statusCode} ${body.slice(0, 300)}` }));
      response.on('error', (error) => resolve({ ready: false, detail: `GET ${url} → ${error.message}` }));
    });
    request.on('timeout', () => request.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    request.on('error', (error) => resolve({ ready: false, detail: `GET ${url} → ${error.message}` }));
  });
}
