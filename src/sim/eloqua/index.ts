/**
 * Oracle Eloqua simulator: base-URL discovery, Basic and OAuth2 auth, REST 2.0 assets, REST 1.0
 * form data and Bulk 2.0 exports (see server.ts and bulk.ts for the API facts modelled), with
 * seeded data at any scale, a movable clock and fault injection.
 *
 * Deliberate differences from Eloqua, for testability:
 *  - `/id` lives on the same server as the API (login.eloqua.com vs a pod host), and names this
 *    server as the base URL;
 *  - a Bulk sync takes `syncDurationMs` of wall time (default 300 ms), not minutes;
 *  - no published rate limit exists: `rateLimit.requestsPerSecond` turns one on.
 *
 * Control endpoints: the shared /__sim ones, plus POST /__sim/bulk (BulkFaults JSON:
 * failSyncs, stuckSyncs, syncDurationMs).
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
import { type BulkFaults, BulkStore } from './bulk.js';
import { ACTIVITY_TYPES, type ActivityType, bulkDate, type EloquaCounts, EloquaWorld } from './data.js';
import { createEloquaHandler } from './server.js';

export type { BulkFaults } from './bulk.js';
export { ACTIVITY_TYPES, type ActivityType } from './data.js';

export interface EloquaSimOptions {
  port?: number;
  seed?: number;
  contacts?: number;
  accounts?: number;
  campaigns?: number;
  emails?: number;
  forms?: number;
  formSubmissions?: number;
  emailSends?: number;
  churn?: ChurnOptions;
  /** Default { company: 'SimCo', user: 'sim.user', password: 'sim-password' }. */
  login?: { company: string; user: string; password: string };
  /** Default { clientId: 'sim-eloqua-client', clientSecret: 'sim-eloqua-secret', refreshToken: 'sim-eloqua-refresh' }. */
  oauth?: { clientId: string; clientSecret: string; refreshToken: string };
  rateLimit?: { requestsPerSecond: number; burst?: number } | false;
  faults?: SimFaults;
  bulk?: BulkFaults;
  startTime?: string;
}

export type EloquaTruthObject =
  | 'contacts'
  | 'accounts'
  | 'campaigns'
  | 'emails'
  | 'forms'
  | 'formSubmissions'
  | `activities:${ActivityType}`;

export interface EloquaSimulator {
  readonly origin: string;
  readonly login: { company: string; user: string; password: string };
  readonly oauth: { clientId: string; clientSecret: string; refreshToken: string };
  now(): Date;
  advanceClock(ms: number): void;
  setFaults(f: SimFaults | undefined): void;
  setBulkFaults(f: BulkFaults): void;
  /** Export definitions that exist now (cleanup leaves none). */
  exportDefinitions(): number;
  stats(): { requests: number; byStatus: Record<number, number>; throttled: number };
  resetStats(): void;
  /**
   * Ground truth at the clock. REST objects as the API returns them at depth=complete; Bulk
   * objects (contacts, accounts, activities) as maps of EML statement → value, timestamps as
   * UTC bulk dates; form submissions with their form's id as `formId`.
   */
  records(object: EloquaTruthObject): AsyncIterable<Record<string, unknown>>;
  close(): Promise<void>;
}

export const DEFAULT_ELOQUA_LOGIN = { company: 'SimCo', user: 'sim.user', password: 'sim-password' };
export const DEFAULT_ELOQUA_OAUTH = {
  clientId: 'sim-eloqua-client',
  clientSecret: 'sim-eloqua-secret',
  refreshToken: 'sim-eloqua-refresh',
};

function count(name: string, v: number | undefined, dflt: number): number {
  const n = v ?? dflt;
  if (!Number.isInteger(n) || n < 0 || n > 50_000_000)
    throw new FloeError(
      'config-invalid',
      `Eloqua simulator option '${name}' must be an integer from 0 to 50000000, got ${n}`,
    );
  return n;
}

export async function startEloquaSimulator(opts: EloquaSimOptions = {}): Promise<EloquaSimulator> {
  const seed = opts.seed ?? 1;
  const startMs = Date.parse(opts.startTime ?? '2024-01-01T00:00:00Z');
  if (Number.isNaN(startMs))
    throw new FloeError(
      'config-invalid',
      `Eloqua simulator startTime must look like 2024-01-01T00:00:00Z, got '${opts.startTime}'`,
    );
  const counts: EloquaCounts = {
    contacts: count('contacts', opts.contacts, 2000),
    accounts: count('accounts', opts.accounts, 200),
    campaigns: count('campaigns', opts.campaigns, 30),
    emails: count('emails', opts.emails, 60),
    forms: count('forms', opts.forms, 8),
    formSubmissions: count('formSubmissions', opts.formSubmissions, 400),
    emailSends: count('emailSends', opts.emailSends, 3000),
  };
  const t0 = Math.floor(startMs / 1000);
  const world = new EloquaWorld(seed, t0, counts, opts.churn);
  const clock = new SimClock(t0 * 1000);
  const tokens = new AccessTokens(seed, 28_800); // Eloqua access tokens last 8 hours
  const faults = new FaultInjector(opts.faults, seed);
  const stats = new SimStats();
  const bulk = new BulkStore(world);
  bulk.faults = opts.bulk ?? {};
  const login = opts.login ?? DEFAULT_ELOQUA_LOGIN;
  const oauth = opts.oauth ?? DEFAULT_ELOQUA_OAUTH;
  let limiter: { take(): boolean } | undefined;
  if (opts.rateLimit) {
    const { requestsPerSecond, burst = Math.max(1, Math.ceil(requestsPerSecond)) } = opts.rateLimit;
    let tokensLeft = burst;
    let last = performance.now();
    limiter = {
      take: () => {
        const now = performance.now();
        tokensLeft = Math.min(burst, tokensLeft + ((now - last) * requestsPerSecond) / 1000);
        last = now;
        if (tokensLeft < 1) return false;
        tokensLeft -= 1;
        return true;
      },
    };
  }
  let origin = '';
  const server: Server = createServer(
    { keepAlive: true },
    createEloquaHandler({
      world,
      bulk,
      tokens,
      clock,
      faults,
      stats,
      limiter,
      login,
      oauth: {
        clientId: oauth.clientId,
        clientSecret: oauth.clientSecret,
        refreshTokens: new Set([oauth.refreshToken]),
      },
      origin: () => origin,
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
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function* records(object: EloquaTruthObject): AsyncGenerator<Record<string, unknown>> {
    const nowS = Math.floor(clock.nowMs() / 1000);
    const utc = (r: Record<string, string | number>) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? bulkDate(v, true) : v]),
      );
    if (object === 'contacts' || object === 'accounts') {
      const n = world.count(object, nowS);
      for (let i = 0; i < n; i++)
        yield utc(object === 'contacts' ? world.contact(i, nowS) : world.account(i, nowS));
      return;
    }
    if (object.startsWith('activities:')) {
      const type = object.slice('activities:'.length) as ActivityType;
      if (!ACTIVITY_TYPES.includes(type))
        throw new FloeError('config-invalid', `unknown activity type ${type}`);
      for (const r of world.activities(type, nowS)) yield utc(r);
      return;
    }
    if (object === 'formSubmissions') {
      const n = world.count('forms', nowS);
      for (let f = 0; f < n; f++)
        for (const s of world.submissions(f, nowS)) yield { ...s, formId: String(700 + f) };
      return;
    }
    const kind = object as 'campaigns' | 'emails' | 'forms';
    const n = world.count(kind, nowS);
    for (let i = 0; i < n; i++) yield world.asset(kind, i, nowS, 'complete');
  }

  return {
    origin,
    login,
    oauth,
    now: () => new Date(clock.nowMs()),
    advanceClock: (ms) => clock.advance(ms),
    setFaults: (f) => faults.set(f),
    setBulkFaults: (f) => {
      bulk.faults = f;
    },
    exportDefinitions: () => bulk.definitions.size,
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
