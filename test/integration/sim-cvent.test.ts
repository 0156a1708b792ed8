/**
 * The Cvent simulator behaves like Cvent's documented API (see src/sim/cvent/server.ts for the
 * sources), and the Cvent pack copes with its faults: a token that expires mid-run is renewed,
 * server errors and resets are retried, per-second 429s are waited out with none left at the
 * end, and a used-up daily quota stops the config at once with the time it resets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cventPack } from '../../src/connectors/cvent/index.js';
import { type CventSimulator, startCventSimulator } from '../../src/sim/cvent/index.js';
import { buildSource, type SourceEvent, TokenCache } from '../../src/source/index.js';
import { MemorySecretStore } from '../support/memory-secret-store.js';

type Rec = Record<string, unknown>;

async function token(sim: CventSimulator): Promise<string> {
  const basic = Buffer.from(`${sim.clientId}:${sim.clientSecret}`).toString('base64');
  const res = await fetch(sim.tokenUrl, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const body = (await res.json()) as { access_token: string; expires_in: number; token_type: string };
  expect(body.expires_in).toBe(3600);
  expect(body.token_type).toBe('Bearer');
  return body.access_token;
}

async function get(sim: CventSimulator, path: string, bearer: string) {
  const res = await fetch(`${sim.baseUrl}${path}`, { headers: { authorization: `Bearer ${bearer}` } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Rec };
}

function packItem(sim: CventSimulator, configId: string, patch: Rec = {}): Rec {
  const item = cventPack({ baseUrl: sim.origin }).find((c) => c.configId === configId)!;
  return {
    ...item,
    retryPolicy: { backoff: 'EXPONENTIAL', maxAttempts: 5, baseDelayMs: 20, maxDelayMs: 200 },
    ...patch,
  };
}

async function drain(sim: CventSimulator, item: Rec) {
  const events: SourceEvent[] = [];
  const source = buildSource(item, {
    secrets: new MemorySecretStore({
      'cvent-oauth': { client_id: sim.clientId, client_secret: sim.clientSecret },
    }),
    tokenCache: new TokenCache(),
    loadType: 'FULL',
    now: () => sim.now(),
    onEvent: (e) => events.push(e),
  });
  const records: Rec[] = [];
  for await (const p of source.pages()) records.push(...(p.records as Rec[]));
  return { records, stats: source.stats(), events };
}

describe('Cvent simulator: the documented API', () => {
  let sim: CventSimulator;
  let bearer: string;
  beforeAll(async () => {
    sim = await startCventSimulator({ seed: 2, attendees: 400, rateLimit: false });
    bearer = await token(sim);
  });
  afterAll(async () => {
    await sim.close();
  });

  it('pages with limit/token; a full last page still has a nextToken and the next page is empty', async () => {
    const p1 = await get(sim, '/attendees?limit=200', bearer);
    const paging = p1.body.paging as Rec;
    expect((p1.body.data as Rec[]).length).toBe(200);
    expect(paging.limit).toBe(200);
    expect(paging.currentToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(paging.totalCount).toBeUndefined(); // attendees: paging without totalCount
    const p2 = await get(sim, `/attendees?token=${paging.nextToken}`, bearer);
    expect((p2.body.data as Rec[]).length).toBe(200);
    const p3 = await get(sim, `/attendees?token=${(p2.body.paging as Rec).nextToken}`, bearer);
    expect(p3.body.data).toEqual([]);
    expect((p3.body.paging as Rec).nextToken).toBeUndefined();
    const ev = await get(sim, '/events', bearer);
    expect((ev.body.paging as Rec).totalCount).toBe(12);
  });

  it('rejects what Cvent rejects, with {code, message, target, details}', async () => {
    const lim = await get(sim, '/attendees?limit=500', bearer);
    expect(lim.status).toBe(400);
    expect(lim.body).toMatchObject({ code: 400, message: 'Bad Request', target: 'limit' });
    expect(((lim.body.details as Rec[])[0] as Rec).message).toMatch(/1 to 200/);
    expect((await get(sim, '/attendees?token=not-a-uuid', bearer)).status).toBe(400);
    const filter = await get(sim, `/attendees?filter=${encodeURIComponent("lastName eq 'x'")}`, bearer);
    expect(filter.status).toBe(400);
    expect(((filter.body.details as Rec[])[0] as Rec).message).toMatch(/not a filterable field/);
    const unauth = await get(sim, '/events', 'nope');
    expect(unauth).toMatchObject({ status: 401, body: { code: 401, message: 'Unauthorized' } });
  });

  it('filters: after= on lastModified and filter= expressions', async () => {
    const all: Rec[] = [];
    for await (const r of sim.records('attendees')) all.push(r);
    const cut = String(all[250]!.lastModified);
    const after = await get(sim, `/attendees?limit=200&after=${encodeURIComponent(cut)}`, bearer);
    const expected = all.filter((r) => Date.parse(String(r.lastModified)) > Date.parse(cut)).map((r) => r.id);
    expect((after.body.data as Rec[]).map((r) => r.id)).toEqual(expected.slice(0, 200));
    const eventId = (all[0]!.event as Rec).id;
    const f = await get(
      sim,
      `/attendees?limit=200&filter=${encodeURIComponent(`event.id eq '${eventId}' and status ne 'Cancelled'`)}`,
      bearer,
    );
    const want = all
      .filter((r) => (r.event as Rec).id === eventId && r.status !== 'Cancelled')
      .map((r) => r.id);
    expect((f.body.data as Rec[]).map((r) => r.id)).toEqual(want);
  });
});

describe('Cvent simulator: limits and faults, and the pack against them', () => {
  it('per-second limit: 429 {code, message: "Limit Exceeded"} without Retry-After, quota headers on every answer', async () => {
    const sim = await startCventSimulator({ seed: 4, rateLimit: { tier: 'free' } });
    try {
      const bearer = await token(sim);
      const answers = await Promise.all(Array.from({ length: 4 }, () => get(sim, '/events', bearer)));
      const limited = answers.filter((a) => a.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      expect(limited[0]!.body).toEqual({ code: 429, message: 'Limit Exceeded' });
      expect(limited[0]!.headers.get('retry-after')).toBeNull();
      expect(Number(limited[0]!.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
      expect(answers[0]!.headers.get('x-ratelimit-limit')).toBe('1000');
    } finally {
      await sim.close();
    }
  });

  it('the pack waits out a flood of per-second 429s (burst faults) and ends with every record', async () => {
    const sim = await startCventSimulator({
      seed: 5,
      attendees: 600,
      faults: { throttleBurstRate: 0.3, throttleBurstLength: 2, seed: 9 },
    });
    try {
      const { records, stats } = await drain(sim, packItem(sim, 'Cvent_Attendees'));
      expect(records.length).toBe(600);
      expect(stats.rateLimited).toBeGreaterThan(0);
    } finally {
      await sim.close();
    }
  });

  it('server errors, resets and truncated bodies are retried; an expired token is renewed once', async () => {
    const sim = await startCventSimulator({
      seed: 6,
      attendees: 3000,
      faults: {
        serverErrorRate: 0.2,
        resetRate: 0.15,
        truncateRate: 0.15,
        expireTokensAfterRequests: 4,
        seed: 3,
      },
    });
    try {
      const { records, stats, events } = await drain(sim, packItem(sim, 'Cvent_Attendees'));
      expect(new Set(records.map((r) => r.id)).size).toBe(3000);
      expect(stats.retries).toBeGreaterThan(0);
      expect(stats.tokenRefreshes).toBeGreaterThan(0);
      expect(events.some((e) => e.type === 'token-refresh')).toBe(true);
    } finally {
      await sim.close();
    }
  });

  it('a used-up daily quota stops the config at once, saying until when, and the quota resets the next simulated day', async () => {
    const sim = await startCventSimulator({
      seed: 8,
      attendees: 1000,
      rateLimit: { tier: 'standard', perDay: 3 },
    });
    try {
      const started = Date.now();
      await expect(drain(sim, packItem(sim, 'Cvent_Attendees'))).rejects.toThrow(
        /Cvent_Attendees: GET .* answered 429: .*Limit Exceeded.*quota is used up until \d{4}-\d{2}-\d{2}T.*maxRetryAfterMs/,
      );
      expect(Date.now() - started).toBeLessThan(5000);
      sim.advanceClock(24 * 3600 * 1000);
      const bearer = await token(sim);
      expect((await get(sim, '/events', bearer)).status).toBe(200);
    } finally {
      await sim.close();
    }
  });
});
