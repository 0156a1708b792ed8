/**
 * Cvent's usage tiers (OpenAPI info.description "Rate Limits"; developers.cvent.com "Handling
 * Rate Limits"): calls per second with a burst, and calls per day that reset at 00:00 GMT, for
 * the whole account (every client id counts together). Every request counts against the daily
 * quota, those answered 429 included. Each response carries X-RateLimit-Limit, -Remaining and
 * -Reset (a unix timestamp); a 429 has no Retry-After.
 *
 * The per-second limit is a token bucket on the wall clock (a sync runs in real time); the day is
 * the simulated clock's, and Reset is the wall-clock time at which the simulated day would end if
 * the simulated clock ran from now on in real time.
 */
export type CventTier = 'free' | 'standard' | 'premium';

export const TIERS: Record<CventTier, { perSecond: number; burst: number; perDay: number }> = {
  free: { perSecond: 2, burst: 1, perDay: 1_000 },
  standard: { perSecond: 10, burst: 10, perDay: 15_000 },
  premium: { perSecond: 25, burst: 25, perDay: 500_000 },
};

export interface CventRateLimitOptions {
  tier?: CventTier;
  /** Overrides of the tier's numbers (tests: a tiny daily quota). */
  perSecond?: number;
  burst?: number;
  perDay?: number;
}

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

export class CventRateLimiter {
  readonly perSecond: number;
  readonly burst: number;
  readonly perDay: number;
  private tokens: number;
  private last: number;
  private day = '';
  private used = 0;

  constructor(
    opts: CventRateLimitOptions,
    private readonly wallMs: () => number = () => performance.now(),
  ) {
    const t = TIERS[opts.tier ?? 'standard'];
    this.perSecond = opts.perSecond ?? t.perSecond;
    this.burst = opts.burst ?? t.burst;
    this.perDay = opts.perDay ?? t.perDay;
    this.tokens = this.burst;
    this.last = this.wallMs();
  }

  take(simNowMs: number): RateDecision {
    const day = new Date(simNowMs).toISOString().slice(0, 10);
    if (day !== this.day) {
      this.day = day;
      this.used = 0;
    }
    const now = this.wallMs();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.perSecond) / 1000);
    this.last = now;
    this.used++;
    const overDay = this.used > this.perDay;
    const overSecond = this.tokens < 1;
    if (!overDay && !overSecond) this.tokens -= 1;
    const nextMidnight = Date.parse(`${day}T00:00:00Z`) + 86_400_000;
    const reset = Math.ceil((Date.now() + (nextMidnight - simNowMs)) / 1000);
    return {
      allowed: !overDay && !overSecond,
      headers: {
        'x-ratelimit-limit': String(this.perDay),
        'x-ratelimit-remaining': String(Math.max(0, this.perDay - this.used)),
        'x-ratelimit-reset': String(reset),
      },
    };
  }
}
