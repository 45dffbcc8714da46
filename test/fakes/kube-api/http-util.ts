import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Obj } from './store.js';

/** A Status object, the way the API server reports every failure. */
export function sendStatus(res: ServerResponse, code: number, reason: string, message: string, details: object = {}): void {
  sendJson(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: code < 400 ? 'Success' : 'Failure', message, reason, details, code });
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Equality-based selectors (`a=b,c==d,e!=f`), the kind msx sends. */
export function matchesLabels(object: Obj, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [key, value] = term.split(/!=|==|=/);
    const actual = object.metadata.labels?.[key];
    if (term.includes('!=')) return actual !== value;
    return value === undefined ? actual !== undefined : actual === value;
  });
}

/** Field selectors over dotted paths: `involvedObject.name=orders-abc`. */
export function matchesFields(object: Obj, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [path, value] = term.split('=');
    const actual = path.split('.').reduce<any>((node, key) => node?.[key], object);
    return String(actual) === value;
  });
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The API server's own check of metadata.name (a 422 when it fails). */
export function nameInvalid(kind: string, name: string): string | undefined {
  const label = kind === 'Service' || kind === 'Namespace';
  const ok = label ? DNS1123_LABEL.test(name) && name.length <= 63 : DNS1123_SUBDOMAIN.test(name) && name.length <= 253;
  return ok ? undefined : `metadata.name: Invalid value: "${name}": a lowercase RFC 1123 ${label ? 'label' : 'subdomain'} must consist of lower case alphanumeric characters, '-' or '.'`;
}
