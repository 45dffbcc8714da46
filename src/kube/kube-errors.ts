import { ExternalError, UserError } from '../errors.js';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN']);

export interface KubeErrorContext {
  context: string;
  server: string;
  /** What was being done: `apply Deployment/orders`, `list pods`. */
  action: string;
  /** How this command switches to another kube context, for hints (deploy: --context). */
  otherContext?: string;
}

const OTHER_CONTEXT = 'use another --context';

/** RBAC said no: some checks (a Secret's keys, a Namespace) are skipped rather than failed on it. */
export class KubeForbiddenError extends UserError {}

/** The API's Status object from an ApiException's body, when it has one. */
export function statusOf(error: unknown): { code?: number; reason?: string; message?: string } | undefined {
  const { code, body } = error as { code?: unknown; body?: unknown };
  if (typeof code !== 'number') return undefined;
  try {
    const status = (typeof body === 'string' ? JSON.parse(body) : body) as { reason?: string; message?: string } | undefined;
    return { code, reason: status?.reason, message: status?.message };
  } catch {
    return { code, message: typeof body === 'string' ? body.slice(0, 200) : undefined };
  }
}

/**
 * One clear line for what goes wrong talking to a cluster: unreachable,
 * credentials refused, RBAC forbidden, a conflict, a rejected object. Anything
 * else stays an external failure with the API's own message.
 */
export function kubeError(error: unknown, at: KubeErrorContext): Error {
  if (error instanceof UserError || error instanceof ExternalError) return error;
  const status = statusOf(error);
  if (!status) return networkError(error, at);
  const message = status.message ?? status.reason ?? `HTTP ${status.code}`;
  switch (status.code) {
    case 401:
      return new UserError(`the cluster of context "${at.context}" (${at.server}) refused msx's credentials (401 Unauthorized)`, {
        hint: 'log in again so the kubeconfig credentials are fresh', exit: 'runtimeUnavailable' });
    case 403:
      // client-node's Log (followed pod logs) drops the API's message: the action says what was refused.
      return new KubeForbiddenError(`forbidden by RBAC in context "${at.context}" (${at.server}): ${status.message ?? `${at.action} (HTTP 403)`}`, {
        hint: `ask a cluster admin for a Role that allows it, or ${at.otherContext ?? OTHER_CONTEXT}`, exit: 'runtimeUnavailable' });
    case 409:
      return new UserError(`${at.action}: ${message}`, {
        hint: 'another field manager owns these fields; pass --force-conflicts to take them over', exit: 'conflict' });
    case 422:
      return new UserError(`${at.action} was rejected by the API server: ${message}`, { exit: 'usage' });
    default:
      return new ExternalError(`${at.action} failed: ${message}`, `Kubernetes API ${at.server}`, '', 'externalFailure');
  }
}

function networkError(error: unknown, at: KubeErrorContext): Error {
  const err = error as { code?: string; message?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code;
  const insecureHttp = err.message?.includes('HTTP protocol is not allowed');
  if ((code && NETWORK_CODES.has(code)) || insecureHttp || /certificate|self.signed|TLS/i.test(err.message ?? '')) {
    const why = insecureHttp ? 'plain http needs insecure-skip-tls-verify in the kubeconfig' : (code ?? err.message);
    return new UserError(`cannot reach the cluster of context "${at.context}" at ${at.server} (${why})`, {
      hint: `start the cluster or check the kubeconfig, or ${at.otherContext ?? OTHER_CONTEXT}`, exit: 'runtimeUnavailable' });
  }
  return error instanceof Error ? error : new Error(String(error));
}
