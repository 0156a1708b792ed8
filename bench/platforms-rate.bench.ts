/**
 * Rate-limit use on a long sync, per platform pack against its simulator with the real limits
 * on: how much of the allowed request rate the pack's own `source.rateLimit` uses (the target is
 * ≥ 90 %), and how many 429s it earned (the target is none). A sync of the platform's largest
 * object runs for FLOE_BENCH_RATE_SECONDS (default 30) and is then stopped.
 *
 *  - Cvent attendees: Standard tier, 10 calls/s with a burst of 10 (the pack asks for 10/s).
 *  - Eloqua campaigns (REST, 100 per page to make many calls): Eloqua publishes no limit; the
 *    simulator enforces the pack's 10 calls/s.
 *  - Medallia feedback (GraphQL, 50 per page to make many calls): the Query API's 70 calls/s.
 */
import { cventPack } from '../src/connectors/cvent/index.js';
import { eloquaPack } from '../src/connectors/eloqua/index.js';
import { medalliaPack } from '../src/connectors/medallia/index.js';
import { startCventSimulator } from '../src/sim/cvent/index.js';
import { startEloquaSimulator } from '../src/sim/eloqua/index.js';
import { startMedalliaSimulator } from '../src/sim/medallia/index.js';
import { buildSource, TokenCache } from '../src/source/index.js';
import { MemorySecretStore } from '../test/support/memory-secret-store.js';
import type { BenchFigure } from './run.js';

const seconds = Number(process.env.FLOE_BENCH_RATE_SECONDS ?? 30);

interface Sim {
  stats(): { requests: number; throttled: number };
  resetStats(): void;
  now(): Date;
  close(): Promise<void>;
}

/** Drives one pack item for `seconds` and reports the share of `perSecond` it used. */
async function measure(
  name: string,
  sim: Sim,
  item: Record<string, unknown>,
  secrets: MemorySecretStore,
  perSecond: number,
): Promise<BenchFigure[]> {
  const source = buildSource(item, {
    secrets,
    tokenCache: new TokenCache(),
    loadType: 'FULL',
    now: () => sim.now(),
  });
  sim.resetStats();
  const t0 = performance.now();
  for await (const _ of source.pages()) {
    if (performance.now() - t0 >= seconds * 1000) break;
  }
  const elapsed = (performance.now() - t0) / 1000;
  const st = sim.stats();
  // The token request is not rate-limited; the first API request goes at t = 0.
  const apiRequests = st.requests - source.stats().tokenRefreshes - 1;
  const allowed = perSecond * elapsed;
  return [
    {
      name: `${name}: rate-limit use`,
      value: (100 * (apiRequests - 1)) / allowed,
      unit: '%',
      note: `${apiRequests} requests in ${elapsed.toFixed(1)} s at ${perSecond}/s allowed`,
    },
    { name: `${name}: 429 responses`, value: st.throttled, unit: 'count' },
  ];
}

async function cvent(): Promise<BenchFigure[]> {
  const sim = await startCventSimulator({ attendees: 400_000, rateLimit: { tier: 'standard' } });
  try {
    const item = cventPack({ baseUrl: sim.origin }).find((c) => c.configId === 'Cvent_Attendees')!;
    const secrets = new MemorySecretStore({
      'cvent-oauth': { client_id: sim.clientId, client_secret: sim.clientSecret },
    });
    return await measure('cvent attendees (standard tier)', sim, item, secrets, 10);
  } finally {
    await sim.close();
  }
}

async function eloqua(): Promise<BenchFigure[]> {
  const sim = await startEloquaSimulator({ campaigns: 300_000, rateLimit: { requestsPerSecond: 10 } });
  try {
    const item = structuredClone(
      eloquaPack({ baseUrl: sim.origin }).find((c) => c.configId === 'Eloqua_Campaigns')!,
    );
    ((item.source as Record<string, unknown>).pagination as Record<string, unknown>).pageSize = 100;
    const secrets = new MemorySecretStore({
      'eloqua-login': { username: `${sim.login.company}\\${sim.login.user}`, password: sim.login.password },
    });
    // Discovery (/id) takes the place a token request takes elsewhere (measure() discounts one).
    return await measure('eloqua campaigns (10/s)', sim, item, secrets, 10);
  } finally {
    await sim.close();
  }
}

async function medallia(): Promise<BenchFigure[]> {
  const sim = await startMedalliaSimulator({ feedback: 200_000 });
  try {
    const item = structuredClone(
      medalliaPack({ baseUrl: sim.origin }).find((c) => c.configId === 'Medallia_Feedback')!,
    );
    ((item.source as Record<string, unknown>).pagination as Record<string, unknown>).pageSize = 50;
    const secrets = new MemorySecretStore({
      'medallia-oauth': { client_id: sim.clientId, client_secret: sim.clientSecret },
    });
    // The token request and the catalogue query (discovery) come first: measure() discounts one;
    // the second is in the count and costs under 1 %.
    return await measure('medallia feedback (70/s)', sim, item, secrets, 70);
  } finally {
    await sim.close();
  }
}

export async function run(): Promise<BenchFigure[]> {
  return [...(await cvent()), ...(await eloqua()), ...(await medallia())];
}
