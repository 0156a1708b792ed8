/**
 * Wrike allows about 400 requests per minute per token, "enforced on a per-second basis". We model
 * that as a token bucket per access token: refilled at requestsPerMinute/60 per second of wall
 * time, holding at most `burst` (default: one second's worth, 7 for 400/min). A client that sends
 * more than a few requests in a burst gets 429s even though it stays under 400 per minute.
 */
export interface RateLimitOptions {
  requestsPerMinute: number;
  /** Send `Retry-After` (whole seconds until a request would pass) with 429s. Off by default: Wrike does not document one. */
  retryAfter?: boolean;
  /** Bucket size; default ceil(requestsPerMinute / 60). */
  burst?: number;
}

interface Bucket {
  tokens: number;
  lastMs: number;
}

const MAX_BUCKETS = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly capacity: number;

  constructor(
    readonly opts: RateLimitOptions,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.perMs = opts.requestsPerMinute / 60_000;
    this.capacity = Math.max(1, opts.burst ?? Math.ceil(opts.requestsPerMinute / 60));
  }

  /** Takes one request from `key`'s bucket: 0 if allowed, else the seconds to wait (≥ 1). */
  take(key: string): number {
    const now = this.clock();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= MAX_BUCKETS) {
        const oldest = this.buckets.keys().next();
        if (!oldest.done) this.buckets.delete(oldest.value);
      }
      b = { tokens: this.capacity, lastMs: now };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.capacity, b.tokens + (now - b.lastMs) * this.perMs);
      b.lastMs = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.perMs / 1000));
  }
}
