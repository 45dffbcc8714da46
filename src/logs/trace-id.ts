import { UserError } from '../errors.js';

const TRACE_ID = /^[0-9a-f]{32}$/;
/** W3C traceparent: version-traceid-parentid-flags; version ff is forbidden by the spec. */
const TRACEPARENT = /^(?!ff)[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;
const EXPECTED = 'expected 32 lowercase hex characters (4bf92f3577b34da6a3ce929b0e0e4736) or a traceparent (00-<32 hex>-<16 hex>-<2 hex>)';

/**
 * The trace id asked for, from a bare id or a whole `traceparent` header
 * value as pasted from curl or a browser. Surrounding spaces are forgiven;
 * anything else malformed is a usage error saying the expected format.
 */
export function parseTraceId(value: string): string {
  const text = value.trim();
  const id = TRACE_ID.test(text) ? text : TRACEPARENT.exec(text)?.[1];
  if (!id) {
    const why = /[A-F]/.test(text) && TRACE_ID.test(text.toLowerCase()) ? ' (upper case)' : '';
    throw new UserError(`trace id "${value}" is malformed${why}: ${EXPECTED}`, {
      hint: 'copy trace_id from a log line, or the traceparent header you sent',
    });
  }
  if (/^0+$/.test(id)) {
    throw new UserError(`trace id "${value}" is all zeros, which W3C Trace Context reserves as invalid: ${EXPECTED}`);
  }
  return id;
}
