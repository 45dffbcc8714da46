import type { ErrorJson } from '../../errors.js';
import type { ServiceStatus } from '../runtime.js';

export type { ControlAction, ControlRequest } from '../runtime.js';

/**
 * The control socket's protocol: one request per connection, one JSON line;
 * the supervisor answers with a line per state change while it works, then a
 * final line with the named services' statuses or an error.
 */
export type ControlMessage =
  | { type: 'state'; status: ServiceStatus }
  | { type: 'note'; service?: string; message: string }
  | { type: 'done'; services: ServiceStatus[] }
  | { type: 'error'; error: ErrorJson };
