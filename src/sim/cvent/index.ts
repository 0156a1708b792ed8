/**
 * Cvent Event Management REST API (`ea`) simulator: a loopback HTTP server with seeded,
 * deterministic events, sessions, registration types, contacts, attendees, speakers and session
 * check-ins (`/sessions/attendance`) at any scale, a movable clock, OAuth2 client credentials,
 * Cvent's paging, filters, usage tiers and error bodies, and fault injection. See server.ts for
 * the API facts modelled, data.ts for the records and attendance.ts for the check-ins.
 *
 * Deliberate differences from Cvent, for testability:
 *  - lists are in creation order (Cvent's default sorts vary per operation);
 *  - one account in one region: the NA and EU hosts differ only in host name, which a client
 *    chooses by configuration (the pack's base URL), so the simulator serves whichever it is given;
 *  - the daily quota follows the simulated clock (see rate-limit.ts).
 *
 * Control endpoints (no auth, never faulted): GET /__sim/stats, POST /__sim/stats/reset,
 * GET|POST /__sim/faults, GET|POST /__sim/clock ({"advanceMs": n}), POST /__sim/expire-tokens.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FloeError } from '../../errors.js';
import {
  AccessTokens,
  type ChurnOptions,
  FaultInjector,
  SimClock,
  type SimFaults,
  SimStats,
} from '../shared.js';
import { type CventCounts, type CventObject, CventWorld } from './data.js';
import { CventRateLimiter, type CventRateLimitOptions } from './rate-limit.js';
import { createCventHandler } from './server.js';

export type { CventObject } from './data.js';
export type { CventRateLimitOptions, CventTier } from './rate-limit.js';

export interface CventSimOptions {
  port?: number;
  seed?: number;
  events?: number;
  /** Default events × 8. */
  sessions?: number;
  contacts?: number;
  attendees?: number;
  speakers?: number;
  churn?: ChurnOptions;
  /** Default { clientId: 'sim-cvent-client', clientSecret: 'sim-cvent-secret' }. */
  client?: { clientId: string; clientSecret: string };
  /** Access token lifetime in simulated seconds (Cvent: 3600). */
  tokenTtlSeconds?: number;
  /** Usage tier (default standard: 10 calls/s, burst 10, 15,000 calls/day); false disables. */
  rateLimit?: CventRateLimitOptions | false;
  faults?: SimFaults;
  startTime?: string;
}

export interface CventSimulator {
  readonly origin: string;
  /** origin + '/ea' */
  readonly baseUrl: string;
  /** origin + '/ea/oauth2/token' */
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  now(): Date;
  advanceClock(ms: number): void;
  setFaults(f: SimFaults | undefined): void;
  stats(): { requests: number; byStatus: Record<number, number>; throttled: number };
  resetStats(): void;
  /**
   * Ground truth: every record of an object as the API returns it at the current clock, in
   * creation order. registration-types: every event's, each with its event's id as `eventId`
   * (the path parameter the API does not repeat in the records). session-attendance: every
   * session check-in (`GET /sessions/attendance`), removed ones included (deleted: true).
   */
  records(object: CventObject): AsyncIterable<Record<string, unknown>>;
  close(): Promise<void>;
}

export const DEFAULT_CVENT_CLIENT = { clientId: 'sim-cvent-client', clientSecret: 'sim-cvent-secret' };

function count(name: string, v: number | undefined, dflt: number): number {
  const n = v ?? dflt;
  if (!Number.isInteger(n) || n < 0 || n > 50_000_000) {
    throw new FloeError(
      'config-invalid',
      `Cvent simulator option '${name}' must be an integer from 0 to 50000000, got ${n}`,
    );
  }
  return n;
}

export async function startCventSimulator(opts: CventSimOptions = {}): Promise<CventSimulator> {
  const seed = opts.seed ?? 1;
  const startMs = Date.parse(opts.startTime ?? '2024-01-01T00:00:00Z');
  if (Number.isNaN(startMs)) {
    throw new FloeError(
      'config-invalid',
      `Cvent simulator startTime must look like 2024-01-01T00:00:00Z, got '${opts.startTime}'`,
    );
  }
  const events = count('events', opts.events, 12);
  const counts: CventCounts = {
    events,
    sessions: count('sessions', opts.sessions, events * 8),
    contacts: count('contacts', opts.contacts, 2000),
    attendees: count('attendees', opts.attendees, 3000),
    speakers: count('speakers', opts.speakers, 40),
  };
  const t0 = Math.floor(startMs / 1000);
  const world = new CventWorld(seed, t0, counts, opts.churn);
  const clock = new SimClock(t0 * 1000);
  const client = opts.client ?? DEFAULT_CVENT_CLIENT;
  const tokens = new AccessTokens(seed, opts.tokenTtlSeconds ?? 3600);
  const faults = new FaultInjector(opts.faults, seed);
  const limiter = opts.rateLimit === false ? undefined : new CventRateLimiter(opts.rateLimit ?? {});
  const stats = new SimStats();
  const server: Server = createServer(
    { keepAlive: true },
    createCventHandler({
      world,
      tokens,
      clock,
      faults,
      limiter,
      stats,
      client: { id: client.clientId, secret: client.clientSecret },
    }),
  );
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function* records(object: CventObject): AsyncGenerator<Record<string, unknown>> {
    const nowS = Math.floor(clock.nowMs() / 1000);
    if (object === 'registration-types') {
      const n = world.count('events', nowS);
      for (let e = 0; e < n; e++)
        for (const r of world.registrationTypes(e)) yield { ...r, eventId: world.id('events', e) };
      return;
    }
    if (object === 'session-attendance') {
      yield* world.attendance.records(nowS);
      return;
    }
    const n = world.count(object, nowS);
    for (let i = 0; i < n; i++) yield world.record(object, i, nowS);
  }

  return {
    origin,
    baseUrl: `${origin}/ea`,
    tokenUrl: `${origin}/ea/oauth2/token`,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    now: () => new Date(clock.nowMs()),
    advanceClock: (ms) => clock.advance(ms),
    setFaults: (f) => faults.set(f),
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    records,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
