import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../errors.js';
import type { RuntimeEvents, ServiceStatus } from '../runtimes/runtime.js';
import { initWorkspace } from './init-workspace.js';
import { newService } from './new-service.js';
import { sampleRequestBody, type OpenApiDocument } from '../generators/openapi-sample.js';
import { upServices } from './run-services.js';
import { logsDir, serviceLogPath } from '../state/paths.js';
import { ensureServiceKey, mintServiceToken } from '../state/service-key.js';

export interface DemoOptions {
  dir: string;
  readyTimeoutSeconds: number;
}

export interface DemoResult {
  root: string;
  services: ServiceStatus[];
  traceId: string;
  request: { method: string; url: string; status: number };
  /** Services whose logs hold the trace id a moment after the request. */
  tracedServices: string[];
}

/**
 * The tour: a workspace with orders (REST, calls stock, publishes
 * order.placed), stock (gRPC) and mailer (consumes order.placed), brought up on
 * the local runtime, and one request with a fresh trace id sent through it.
 */
export async function runDemo(options: DemoOptions, events: RuntimeEvents): Promise<DemoResult> {
  const root = resolve(options.dir);
  // A file at DIR is refused by initWorkspace, with the same line as `msx init FILE`.
  if (existsSync(root) && statSync(root).isDirectory() && readdirSync(root).length > 0) {
    throw new UserError(`${root} is not empty`, { hint: 'pass an empty or new folder: msx demo DIR', exit: 'conflict' });
  }
  await initWorkspace({ dir: root, name: 'shop' });
  const made = { cwd: root, port: undefined, dryRun: false };
  await newService({ ...made, name: 'stock', kind: 'grpc', context: 'warehouse' });
  await newService({ ...made, name: 'orders', kind: 'rest', context: 'ordering', dependsOn: ['stock'], publishes: ['order.placed'] });
  await newService({ ...made, name: 'mailer', kind: 'consumer', context: 'engagement', subscribes: ['order.placed'] });
  const up = await upServices({ cwd: root, detach: true, readyTimeoutSeconds: options.readyTimeoutSeconds, services: [] }, events);
  const orders = up.services.find((s) => s.service === 'orders');
  if (up.services.some((s) => s.state !== 'ready') || !orders?.url) {
    const notReady = up.services.filter((s) => s.state !== 'ready').map((s) => `${s.service} is ${s.state}: ${s.detail ?? ''}`);
    throw new UserError(notReady.join('\n'), { hint: `cd ${root} && msx ps; msx down stops the rest`, exit: 'notReady' });
  }
  const traceId = randomBytes(16).toString('hex');
  // orders' routes are internal: the demo calls them as a service would, with a token signed by the workspace key.
  const token = await mintServiceToken(ensureServiceKey(root, 'shop'), { subject: 'msx-demo', audience: 'orders' });
  const request = await placeOrder(orders.url, traceId, token);
  return { root, services: up.services, traceId, request, tracedServices: await servicesWithTrace(root, traceId, ['orders', 'stock', 'mailer']) };
}

async function placeOrder(baseUrl: string, traceId: string, token: string): Promise<DemoResult['request']> {
  const document = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as OpenApiDocument;
  const url = `${baseUrl}/orders`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`, authorization: `Bearer ${token}` },
    body: JSON.stringify(sampleRequestBody(document, '/orders')),
  });
  return { method: 'POST', url, status: response.status };
}

/** Waits (a few seconds at most) for the event to reach the consumer's log. */
async function servicesWithTrace(root: string, traceId: string, services: string[]): Promise<string[]> {
  const found = () => services.filter((s) => {
    const file = serviceLogPath(logsDir(root), s);
    return existsSync(file) && readFileSync(file, 'utf8').includes(traceId);
  });
  for (let i = 0; i < 50 && found().length < services.length; i += 1) await sleep(100);
  return found();
}
