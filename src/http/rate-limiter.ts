/**
 * Client-side rate limiter: GCRA (a token bucket written as one "theoretical arrival time"), so a
 * run configured at an API's limit is spread evenly and never earns a 429. `burst` = requests
 * allowed back to back; 1 spaces them exactly `interval` apart, which also satisfies APIs that
 * enforce a per-minute limit "on a per-second basis" (Wrike).
 *
 * Limiters are shared per key (host + rate) within the process, so several configs hitting the same
 * host together stay under the limit together. `penalize` lets a 429 push everyone back.
 */
export interface RateLimiterOptions {
  requestsPerSecond?: number;
  requestsPerMinute?: number;
  burst?: number;
}

export class RateLimiter {
  readonly intervalMs: number;
  private readonly burst: number;
  /** Theoretical arrival time of the next request (ms, performance.now clock). */
  private tat = 0;

  constructor(
    opts: RateLimiterOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    const perSecond = Math.min(
      opts.requestsPerSecond ?? Number.POSITIVE_INFINITY,
      opts.requestsPerMinute === undefined ? Number.POSITIVE_INFINITY : opts.requestsPerMinute / 60,
    );
    if (!(perSecond > 0) || !Number.isFinite(perSecond)) {
      throw new RangeError('RateLimiter needs a positive requestsPerSecond or requestsPerMinute');
    }
    this.intervalMs = 1000 / perSecond;
    this.burst = Math.max(1, Math.floor(opts.burst ?? 1));
  }

  /**
   * Reserves the next slot and returns how long to wait for it (0 = go now). Reserving up front
   * keeps concurrent callers ordered without a queue.
   */
  reserve(): number {
    const now = this.now();
    const tat = Math.max(this.tat, now);
    const allowAt = tat - (this.burst - 1) * this.intervalMs;
    const wait = Math.max(0, allowAt - now);
    this.tat = tat + this.intervalMs;
    return wait;
  }

  /** Waits for a slot; resolves with the milliseconds waited. */
  async acquire(signal?: AbortSignal): Promise<number> {
    const wait = this.reserve();
    if (wait > 0) await sleep(wait, signal);
    return wait;
  }

  /** After a server 429: no request before `ms` from now. */
  penalize(ms: number): void {
    this.tat = Math.max(this.tat, this.now() + ms);
  }
}

const shared = new Map<string, RateLimiter>();

/** The process-wide limiter for `key` (typically the API host) at this rate. */
export function sharedRateLimiter(key: string, opts: RateLimiterOptions): RateLimiter {
  const id = `${key}|${opts.requestsPerSecond ?? ''}|${opts.requestsPerMinute ?? ''}|${opts.burst ?? 1}`;
  let l = shared.get(id);
  if (!l) {
    l = new RateLimiter(opts);
    shared.set(id, l);
  }
  return l;
}

/** setTimeout as a promise that rejects with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
