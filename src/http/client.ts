/**
 * One JSON request with a timeout, the client-side rate limiter, and retries per retryPolicy.
 *
 * Classification (after Airbyte's ErrorResolution, as data on FloeError):
 *  - 2xx with a JSON body → the response; a truncated or malformed body is retried (`network`),
 *  - 429 → `rate-limited`, retried on its own budget, honouring Retry-After (else backoff),
 *  - 408, 5xx, connection resets, timeouts → retried per retryPolicy,
 *  - 401 → `auth`, not retried here: the caller owns credentials and may refresh once,
 *  - any other 4xx → not retried; the message quotes the API's error body.
 * Node 20's global fetch (undici) keeps connections alive, so pages reuse one socket.
 * Every message and event passes through `redact`: URLs may carry API keys.
 */

import type { RetryPolicy } from '../config/source-schema.js';
import { FloeError } from '../errors.js';
import { parseJsonPreservingNumbers } from '../util/json-numbers.js';
import { REDACTED, redact, redactSnippet } from '../util/redact.js';
import type { RateLimiter } from './rate-limiter.js';
import { sleep } from './rate-limiter.js';
import { backoffDelay, parseRetryAfter } from './retry.js';

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  url: string;
  headers: Headers;
  /** Parsed JSON body. */
  body: unknown;
  bytes: number;
}

export type HttpEvent =
  | {
      type: 'request';
      method: string;
      url: string;
      attempt: number;
      /** The request's headers, credentials redacted (see `emit`). */
      headers?: Record<string, string>;
    }
  /** The answer to one attempt (any status), for request logs and `floe source preview`. */
  | { type: 'response'; method: string; url: string; status: number; ms: number; bytes: number }
  | { type: 'retry'; url: string; attempt: number; delayMs: number; reason: string; status?: number }
  | { type: 'throttled'; by: 'client' | 'server'; delayMs: number; url: string };

export interface HttpClientOptions {
  configId: string;
  retry: RetryPolicy;
  timeoutMs: number;
  limiter?: RateLimiter;
  onEvent?: (e: HttpEvent) => void;
  /** For tests. */
  random?: () => number;
}

const SNIPPET = 300;

export class HttpClient {
  constructor(private readonly opts: HttpClientOptions) {}

  /** Sends `req`, retrying transient failures; throws a FloeError when it gives up. */
  async send(req: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> {
    const { retry } = this.opts;
    let failures = 0;
    let throttles = 0;
    for (let attempt = 1; ; attempt++) {
      if (this.opts.limiter) {
        const waited = await this.opts.limiter.acquire(signal);
        if (waited >= 1)
          this.emit({ type: 'throttled', by: 'client', delayMs: Math.round(waited), url: req.url });
      }
      this.emit({ type: 'request', method: req.method, url: req.url, attempt, headers: req.headers });
      const sentAt = performance.now();
      const answered = (status: number, bytes: number) =>
        this.emit({
          type: 'response',
          method: req.method,
          url: req.url,
          status,
          ms: Math.round(performance.now() - sentAt),
          bytes,
        });
      let error: FloeError;
      try {
        const res = await this.once(req, signal);
        answered(res.status, res.bytes);
        return res;
      } catch (e) {
        if (!(e instanceof FloeError)) throw e; // aborted by the caller, or a bug
        error = e;
        // An HTTP answer that failed (4xx, 5xx, a bad body) is still an answer; a reset is not.
        if (typeof e.context.status === 'number') answered(e.context.status, 0);
      }
      if (!error.retryable) throw error;
      let delay: number;
      if (error.kind === 'rate-limited') {
        throttles++;
        if (throttles > retry.maxRateLimitRetries) {
          throw this.giveUp(error, `still rate-limited after ${throttles} retries`);
        }
        const after = error.context.retryAfterMs;
        const quota = error.context.quotaResetMs;
        if (typeof quota === 'number' && quota > retry.maxRetryAfterMs) {
          // Waiting would take longer than the config allows: stop now and say until when.
          const until = new Date(Date.now() + quota).toISOString();
          throw new FloeError(
            'rate-limited',
            `${error.message}. The API's request quota is used up until ${until} (X-RateLimit-Remaining: 0, X-RateLimit-Reset), longer than retryPolicy.maxRetryAfterMs (${retry.maxRetryAfterMs} ms) allows waiting; rerun after the reset, raise the API quota, or lower the request volume (source.pagination.pageSize up, fewer runs)`,
            { context: error.context, retryable: false },
          );
        }
        delay =
          typeof after === 'number'
            ? Math.min(after, retry.maxRetryAfterMs)
            : backoffDelay(retry, throttles, this.opts.random);
        this.opts.limiter?.penalize(delay);
        this.emit({ type: 'throttled', by: 'server', delayMs: delay, url: req.url });
      } else {
        failures++;
        if (failures >= retry.maxAttempts) {
          throw this.giveUp(error, `gave up after ${failures} attempt${failures === 1 ? '' : 's'}`);
        }
        delay = backoffDelay(retry, failures, this.opts.random);
      }
      this.emit({
        type: 'retry',
        url: req.url,
        attempt,
        delayMs: delay,
        reason: error.message,
        status: typeof error.context.status === 'number' ? error.context.status : undefined,
      });
      await sleep(delay, signal);
    }
  }

  private giveUp(e: FloeError, why: string): FloeError {
    return new FloeError(
      e.kind,
      `${e.message} (${why}; retryPolicy.maxAttempts/maxRateLimitRetries set the budget)`,
      {
        context: e.context,
        cause: e.cause,
        retryable: false,
      },
    );
  }

  private async once(req: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> {
    const { configId, timeoutMs } = this.opts;
    const safeUrl = redact(req.url);
    const ctx = { configId, url: safeUrl, method: req.method };
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res: Response;
    let text: string;
    try {
      res = await fetch(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: combined,
      });
      text = await res.text();
    } catch (e) {
      if (signal?.aborted) throw signal.reason ?? e;
      if (timeout.aborted) {
        throw new FloeError(
          'network',
          `${configId}: ${req.method} ${safeUrl} timed out after ${timeoutMs} ms`,
          {
            context: ctx,
            cause: e,
            retryable: true,
          },
        );
      }
      const code = networkCode(e);
      throw new FloeError('network', `${configId}: ${req.method} ${safeUrl} failed: ${code}`, {
        context: { ...ctx, code },
        retryable: true,
      });
    }
    const status = res.status;
    const rctx = { ...ctx, status };
    if (status >= 200 && status < 300) {
      // No content is a complete answer to a DELETE (export cleanup), not a truncated body.
      if (text.trim() === '' && (status === 204 || req.method === 'DELETE')) {
        return { status, url: req.url, headers: res.headers, body: null, bytes: 0 };
      }
      let body: unknown;
      try {
        // Numbers a double would change (integers beyond 2^53, `1.0`) keep their exact text.
        body = parseJsonPreservingNumbers(text);
      } catch {
        const type = res.headers.get('content-type') ?? 'none';
        throw new FloeError(
          'network',
          `${configId}: ${req.method} ${safeUrl} answered ${status} with a body that is not valid JSON ` +
            `(content-type ${type}, ${text.length} chars, starts ${JSON.stringify(redactSnippet(text, 80))}). ` +
            'A truncated body is retried; if it persists, check that source.request.url points at the JSON API',
          { context: { ...rctx, contentType: type }, retryable: true },
        );
      }
      return { status, url: req.url, headers: res.headers, body, bytes: text.length };
    }
    const snippet = redactSnippet(text, SNIPPET).replace(/\s+/g, ' ');
    const head = `${configId}: ${req.method} ${safeUrl} answered ${status}${snippet ? `: ${snippet}` : ''}`;
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      // No Retry-After, but the quota headers say none is left (X-RateLimit-Remaining: 0) and
      // when it comes back (X-RateLimit-Reset): a used-up quota, not a momentary burst.
      const quotaResetMs = retryAfterMs === undefined ? quotaReset(res.headers) : undefined;
      throw new FloeError('rate-limited', head, {
        context: {
          ...rctx,
          retryAfterMs: retryAfterMs ?? quotaResetMs,
          ...(quotaResetMs !== undefined ? { quotaResetMs } : {}),
        },
        retryable: true,
      });
    }
    if (status === 408 || status >= 500)
      throw new FloeError('http', head, { context: rctx, retryable: true });
    if (status === 401) {
      throw new FloeError('auth', `${head}. The API rejected the credentials`, { context: rctx });
    }
    if (status === 403) {
      throw new FloeError('auth', `${head}. The credentials lack permission: check the token's scopes`, {
        context: rctx,
      });
    }
    if (status === 404) {
      throw new FloeError('not-found', `${head}. Check source.request.url`, { context: rctx });
    }
    throw new FloeError('http', `${head}. Check source.request (params, headers, body)`, { context: rctx });
  }

  private emit(e: HttpEvent): void {
    if (!this.opts.onEvent) return;
    if ('url' in e) e.url = redact(e.url);
    if (e.type === 'retry') e.reason = redact(e.reason);
    if (e.type === 'request' && e.headers) e.headers = redactHeaders(e.headers);
    this.opts.onEvent(e);
  }
}

/**
 * Header values redacted as a `Name: value` line is: registered secrets wherever they stand, and
 * the whole value of credential headers (Authorization, X-Api-Key, Cookie, …) whatever it is.
 */
function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const prefix = `${name}: `;
    const line = redact(`${prefix}${value}`);
    out[name] = line.startsWith(prefix) ? line.slice(prefix.length) : REDACTED;
  }
  return out;
}

/**
 * Milliseconds until a used-up quota resets, from `X-RateLimit-Remaining: 0` and
 * `X-RateLimit-Reset` (epoch seconds, as Cvent and GitHub send it, or delta seconds when small).
 */
export function quotaReset(headers: Headers, nowMs: number = Date.now()): number | undefined {
  const remaining = headers.get('x-ratelimit-remaining');
  const reset = headers.get('x-ratelimit-reset');
  if (remaining === null || reset === null || Number(remaining.trim()) !== 0) return undefined;
  const v = Number(reset.trim());
  if (!Number.isFinite(v) || v < 0) return undefined;
  return v > 1e9 ? Math.max(0, Math.round(v * 1000 - nowMs)) : Math.round(v * 1000);
}

/** `ECONNRESET`, `UND_ERR_SOCKET`, … from undici's nested causes. */
function networkCode(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur instanceof Error; i++) {
    const code = (cur as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${code} ${cur.message}` : cur.message);
    cur = cur.cause;
  }
  return redact(parts.join(': ') || String(e));
}
