import { describe, expect, it } from 'vitest';
import { RetryPolicySchema } from '../../src/config/source-schema.js';
import { RateLimiter } from '../../src/http/rate-limiter.js';
import { backoffDelay, parseRetryAfter } from '../../src/http/retry.js';

describe('backoff', () => {
  const p = (c: Record<string, unknown>) =>
    RetryPolicySchema.parse({ baseDelayMs: 100, maxDelayMs: 1000, jitter: 'NONE', ...c });
  it('exponential, linear, fixed, capped', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(p({ backoff: 'EXPONENTIAL' }), n))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect([1, 2, 3].map((n) => backoffDelay(p({ backoff: 'LINEAR' }), n))).toEqual([100, 200, 300]);
    expect([1, 5].map((n) => backoffDelay(p({ backoff: 'FIXED' }), n))).toEqual([100, 100]);
  });
  it('jitter stays within its band', () => {
    expect(backoffDelay(p({ jitter: 'FULL' }), 3, () => 0.5)).toBe(200);
    expect(backoffDelay(p({ jitter: 'EQUAL' }), 3, () => 0)).toBe(200);
    expect(backoffDelay(p({ jitter: 'EQUAL' }), 3, () => 0.999)).toBeLessThanOrEqual(400);
  });
  it('Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const now = Date.parse('2024-01-01T00:00:00Z');
    expect(parseRetryAfter('Mon, 01 Jan 2024 00:00:05 GMT', now)).toBe(5000);
  });
});

describe('rate limiter (GCRA)', () => {
  it('spaces requests evenly at the configured rate, with an optional burst', () => {
    let t = 0;
    const l = new RateLimiter({ requestsPerMinute: 600 }, () => t);
    expect([l.reserve(), l.reserve(), l.reserve()]).toEqual([0, 100, 200]);
    t = 1000;
    expect(l.reserve()).toBe(0);
    const b = new RateLimiter({ requestsPerSecond: 10, burst: 3 }, () => 0);
    expect([b.reserve(), b.reserve(), b.reserve(), b.reserve()]).toEqual([0, 0, 0, 100]);
  });
  it('the stricter of per-second and per-minute wins; penalize pushes back', () => {
    let t = 0;
    const l = new RateLimiter({ requestsPerSecond: 100, requestsPerMinute: 60 }, () => t);
    expect(l.intervalMs).toBe(1000);
    l.reserve();
    l.penalize(5000);
    expect(l.reserve()).toBe(5000);
    t = 10_000;
    expect(l.reserve()).toBe(0);
  });
});
