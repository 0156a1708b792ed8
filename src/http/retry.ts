/**
 * Retry delays per the config's retryPolicy (seed: `backoff` EXPONENTIAL | LINEAR | FIXED,
 * `maxAttempts`), and Retry-After parsing. Pure functions; the loop lives in client.ts.
 */
import type { RetryPolicy } from '../config/source-schema.js';

export type BackoffPolicy = Pick<RetryPolicy, 'backoff' | 'baseDelayMs' | 'maxDelayMs' | 'jitter'>;

/** Delay before retry number `retry` (1 = first retry). `random` is injectable for tests. */
export function backoffDelay(
  policy: BackoffPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  const base = policy.baseDelayMs;
  let d: number;
  switch (policy.backoff) {
    case 'EXPONENTIAL':
      d = base * 2 ** Math.min(retry - 1, 30);
      break;
    case 'LINEAR':
      d = base * retry;
      break;
    case 'FIXED':
      d = base;
      break;
  }
  d = Math.min(d, policy.maxDelayMs);
  switch (policy.jitter) {
    case 'FULL':
      return Math.round(random() * d);
    case 'EQUAL':
      return Math.round(d / 2 + (random() * d) / 2);
    case 'NONE':
      return d;
  }
}

/** `Retry-After` as milliseconds (delta-seconds or an HTTP date); undefined when absent/invalid. */
export function parseRetryAfter(value: string | null, nowMs: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
