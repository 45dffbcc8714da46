import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleAll,
  handleWhen,
  retry,
  timeout,
  wrap,
} from "cockatiel";
import { DependencyError } from "./dependency.js";
import { describeError } from "./describe-error.js";
import type { Logger } from "./logger.js";
import { ATTR_HTTP_RESPONSE_STATUS_CODE } from "@opentelemetry/semantic-conventions";
import { SpanKind, endSpan, markFailed, startOutgoing, type OutgoingSpan, type TraceContext } from "./trace-context.js";

export interface HttpClientOptions {
  baseUrl: string;
  /** Names the dependency in errors and logs; defaults to the URL's host. */
  name?: string;
  timeoutMs?: number;
  /** Retries after the first attempt, for idempotent methods only. */
  maxRetries?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Consecutive failures that open the circuit. */
  breakerThreshold?: number;
  halfOpenAfterMs?: number;
  logger?: Logger;
  /** The service token for a call to `name` (platform/service-auth.ts), sent as `authorization: Bearer`. */
  tokenFor?: (audience: string) => Promise<string | undefined>;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  json?: unknown;
  body?: string;
  signal?: AbortSignal;
  /** The span this request is made in (the handler's scope.trace): the request gets a client span in it, sent on as `traceparent`. */
  trace?: TraceContext;
}

export interface HttpClient {
  request(method: string, path: string, options?: RequestOptions): Promise<Response>;
  get(path: string, options?: RequestOptions): Promise<Response>;
  post(path: string, options?: RequestOptions): Promise<Response>;
  put(path: string, options?: RequestOptions): Promise<Response>;
  delete(path: string, options?: RequestOptions): Promise<Response>;
  readonly circuitState: CircuitState;
}

// A request that failed after every policy gave up: timeout, network error or open circuit.
export { DependencyError };

// A POST or PATCH that timed out may have been applied: sending it again could do it twice.
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);

const isResponse = (value: unknown): value is Response => value instanceof Response;

/**
 * Outgoing HTTP with cockatiel policies: retry (idempotent methods, exponential
 * backoff with jitter) around one circuit breaker per client around a
 * per-attempt timeout. Non-2xx answers are returned, not thrown; 5xx and
 * 429 are retried, 5xx count against the circuit.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const base = options.baseUrl.replace(/\/+$/, "");
  const name = options.name ?? new URL(base).host;
  const timeoutMs = options.timeoutMs ?? 2000;
  const { breaker, once, retried } = buildPolicies(options, name, timeoutMs);

  const request = async (method: string, path: string, req: RequestOptions = {}): Promise<Response> => {
    const upper = method.toUpperCase();
    const url = `${base}${path}`;
    const policy = IDEMPOTENT.has(upper) ? retried : once;
    // One client span for the call, retries included: every attempt carries it as the parent.
    // http.request.method and url.full written out, not computed keys: see serverSpan in trace-hooks.ts.
    const outgoing = startOutgoing(req.trace, { name: upper, kind: SpanKind.CLIENT, attributes: { "http.request.method": upper, "url.full": url } });
    try {
      const token = options.tokenFor;
      const response = await policy.execute(async ({ signal }) => send(upper, url, req, signal, outgoing, await token?.(name)), req.signal);
      if (outgoing) endedWith(outgoing, response.status);
      return response;
    } catch (error) {
      const failure = new DependencyError(`${name}: ${upper} ${url} failed: ${explain(error, timeoutMs)}`, { cause: error });
      endSpan(outgoing?.span, failure);
      throw failure;
    }
  };
  return {
    request,
    get: (path, req) => request("GET", path, req),
    post: (path, req) => request("POST", path, req),
    put: (path, req) => request("PUT", path, req),
    delete: (path, req) => request("DELETE", path, req),
    get circuitState() {
      return breaker.state;
    },
  };
}

function buildPolicies(options: HttpClientOptions, name: string, timeoutMs: number) {
  const breaker = circuitBreaker(handleAll.orWhenResult((r) => isResponse(r) && r.status >= 500), {
    halfOpenAfter: options.halfOpenAfterMs ?? 10_000,
    breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5),
  });
  const retryable = handleWhen((error) => !(error instanceof BrokenCircuitError)).orWhenResult(
    (r) => isResponse(r) && (r.status >= 500 || r.status === 429),
  );
  const retries = retry(retryable, {
    maxAttempts: options.maxRetries ?? 2,
    backoff: new ExponentialBackoff({ initialDelay: options.initialDelayMs ?? 100, maxDelay: options.maxDelayMs ?? 2000 }),
  });
  retries.onRetry((reason) => {
    // Free the connection held by the answer we are about to discard.
    if ("value" in reason && isResponse(reason.value)) void reason.value.body?.cancel();
    options.logger?.debug({ dependency: name, attempt: reason.attempt }, "retrying request");
  });
  breaker.onStateChange((state) => options.logger?.warn({ dependency: name, circuit: CircuitState[state] }, "circuit changed"));
  // The timeout covers the wait for the response head; aborting after return would kill the body.
  const attempt = timeout(timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
  return { breaker, once: wrap(breaker, attempt), retried: wrap(retries, breaker, attempt) };
}

function endedWith({ span }: OutgoingSpan, status: number): void {
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  // A 4xx is the caller's answer, not a failure of the call (OpenTelemetry's HTTP conventions).
  if (status >= 500) markFailed(span, `HTTP ${status}`);
  span.end();
}

function send(
  method: string,
  url: string,
  req: RequestOptions,
  signal: AbortSignal,
  outgoing: OutgoingSpan | undefined,
  token: string | undefined,
): Promise<Response> {
  const headers = new Headers(req.headers);
  if (token && !headers.has("authorization")) headers.set("authorization", `Bearer ${token}`);
  if (outgoing) {
    headers.set("traceparent", outgoing.headers.traceparent);
    headers.set("tracestate", outgoing.headers.tracestate);
  }
  let body = req.body;
  if (req.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(req.json);
  }
  return fetch(url, { method, headers, body, signal });
}

function explain(error: unknown, timeoutMs: number): string {
  if (error instanceof BrokenCircuitError) return "circuit open";
  if (error instanceof TaskCancelledError) return `timed out after ${timeoutMs} ms`;
  return describeError(error);
}
