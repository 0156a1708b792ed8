/**
 * Deterministic fault injection for /api/v4 requests (never for /__sim control endpoints, and
 * not for /oauth2). The n-th API request after `setFaults` draws its fate from
 * hash(faults.seed, kind, n), so a sequential client sees the same faults on every run.
 *
 * Rates are probabilities per request in [0, 1]. Order of decisions for one request:
 *   1. an ongoing 429 burst, or a new one (`throttleBurstRate`, `throttleBurstLength` requests long);
 *   2. a server error (`serverErrorRate`): 500 (Wrike's JSON body), 502 (an HTML proxy page) or
 *      503 (JSON), chosen evenly;
 *   3. for responses that would succeed: a delay (`slowRate`, `slowMs`), a connection reset in the
 *      middle of the body (`resetRate`), or a truncated body (`truncateRate`: half the body, either
 *      under a full Content-Length followed by a closed connection, or as a complete chunked
 *      response that is simply cut-off JSON).
 * `expireTokensAfterRequests` is applied by the auth registry (see auth.ts).
 */
import { hash, unit } from '../prng.js';

export interface WrikeFaults {
  seed?: number;
  serverErrorRate?: number;
  resetRate?: number;
  truncateRate?: number;
  throttleBurstRate?: number;
  throttleBurstLength?: number;
  slowRate?: number;
  slowMs?: number;
  expireTokensAfterRequests?: number;
}

export interface FaultDecision {
  throttle: boolean;
  serverError: 500 | 502 | 503 | undefined;
  slowMs: number;
  reset: boolean;
  truncate: 'content-length' | 'half-json' | undefined;
}

const NONE: FaultDecision = {
  throttle: false,
  serverError: undefined,
  slowMs: 0,
  reset: false,
  truncate: undefined,
};

export class FaultInjector {
  private faults: WrikeFaults | undefined;
  private n = 0;
  private burstLeft = 0;
  private seed: number;

  constructor(
    faults: WrikeFaults | undefined,
    private readonly defaultSeed: number,
  ) {
    this.faults = faults;
    this.seed = faults?.seed ?? defaultSeed;
  }

  /** Replaces the fault settings and restarts the deterministic sequence. */
  set(faults: WrikeFaults | undefined): void {
    this.faults = faults;
    this.seed = faults?.seed ?? this.defaultSeed;
    this.n = 0;
    this.burstLeft = 0;
  }

  get current(): WrikeFaults | undefined {
    return this.faults;
  }

  get expireTokensAfterRequests(): number | undefined {
    return this.faults?.expireTokensAfterRequests;
  }

  decide(): FaultDecision {
    const f = this.faults;
    if (!f) return NONE;
    const n = this.n++;
    const u = (k: number) => unit(this.seed, k, n);
    if (this.burstLeft > 0) {
      this.burstLeft--;
      return { ...NONE, throttle: true };
    }
    if ((f.throttleBurstRate ?? 0) > 0 && u(1) < f.throttleBurstRate!) {
      this.burstLeft = Math.max(1, f.throttleBurstLength ?? 3) - 1;
      return { ...NONE, throttle: true };
    }
    if ((f.serverErrorRate ?? 0) > 0 && u(2) < f.serverErrorRate!) {
      const codes = [500, 502, 503] as const;
      return { ...NONE, serverError: codes[hash(this.seed, 3, n) % 3] };
    }
    const slow = (f.slowRate ?? 0) > 0 && u(4) < f.slowRate! ? Math.max(0, f.slowMs ?? 1000) : 0;
    const reset = (f.resetRate ?? 0) > 0 && u(5) < f.resetRate!;
    const truncate =
      !reset && (f.truncateRate ?? 0) > 0 && u(6) < f.truncateRate!
        ? hash(this.seed, 7, n) % 2 === 0
          ? 'content-length'
          : 'half-json'
        : undefined;
    return { throttle: false, serverError: undefined, slowMs: slow, reset, truncate };
  }
}
