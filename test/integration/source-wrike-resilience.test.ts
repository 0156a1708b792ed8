// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` are config placeholders, not JS templates
/**
 * Wrike simulator, the hard parts: OAuth2 tokens expiring mid-run with strict refresh-token
 * rotation, 10 % injected faults, and a client-side rate limiter that keeps a run free of 429s.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SourceItemInput } from '../../src/config/source-schema.js';
import { FloeError } from '../../src/errors.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import { buildSource, type SourceEvent, TokenCache } from '../../src/source/index.js';
import { MemorySecretStore } from '../support/memory-secret-store.js';

const sims: WrikeSimulator[] = [];
afterEach(async () => {
  while (sims.length) await sims.pop()!.close();
});
async function sim(opts: Parameters<typeof startWrikeSimulator>[0]): Promise<WrikeSimulator> {
  const s = await startWrikeSimulator(opts);
  sims.push(s);
  return s;
}

function tasksItem(
  url: string,
  auth: SourceItemInput['source']['auth'],
  pageSize: number,
  extra: Partial<SourceItemInput> = {},
): SourceItemInput {
  return {
    configId: 'Wrike_Tasks',
    source: {
      apiType: 'REST',
      auth,
      defaultFetchMode: 'FULL',
      request: {
        method: 'GET',
        url,
        headers: { Accept: 'application/json', Authorization: 'Bearer ${accessToken}' },
      },
      response: { dataPath: '$.data' },
      pagination: {
        type: 'cursor',
        pageSize,
        pageSizeOption: { in: 'query', name: 'pageSize' },
        cursorPath: '$.nextPageToken',
        tokenOption: { in: 'query', name: 'nextPageToken' },
      },
    },
    retryPolicy: {
      backoff: 'EXPONENTIAL',
      maxAttempts: 6,
      baseDelayMs: 5,
      maxDelayMs: 100,
      maxRateLimitRetries: 30,
    },
    ...extra,
  };
}

async function drain(item: SourceItemInput, deps: Parameters<typeof buildSource>[1]) {
  const source = buildSource(item, deps);
  const ids: string[] = [];
  const records: unknown[] = [];
  for await (const p of source.pages()) {
    for (const r of p.records) {
      ids.push((r as { id: string }).id);
      records.push(r);
    }
  }
  return { ids, records, stats: source.stats() };
}

async function truth(s: WrikeSimulator): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const r of s.records('tasks')) out.push(r);
  return out;
}

describe('OAuth2 refresh with Wrike', () => {
  const oauth = {
    clientId: 'floe-client',
    clientSecret: 'client-secret-abcdef',
    refreshToken: 'refresh-token-0001',
    rotation: 'strict' as const,
  };

  it('refreshes a token that expires mid-run, stores each rotated refresh token, and the next run works', async () => {
    const s = await sim({ tasks: 4000, rateLimit: false, oauth, faults: { expireTokensAfterRequests: 3 } });
    const secrets = new MemorySecretStore({
      'wrike-oauth': {
        client_id: oauth.clientId,
        client_secret: oauth.clientSecret,
        refresh_token: oauth.refreshToken,
      },
    });
    // The configured host is not the simulator: the token response's `host` must redirect the calls.
    const item = tasksItem(
      'http://www.wrike.invalid/api/v4/tasks',
      { type: 'OAUTH2', tokenKey: 'wrike-oauth', tokenUrl: s.tokenUrl },
      500,
    );
    const events: SourceEvent[] = [];
    const run1 = await drain(item, { secrets, tokenCache: new TokenCache(), onEvent: (e) => events.push(e) });
    expect(run1.records).toEqual(await truth(s));
    expect(run1.stats.tokenRefreshes).toBeGreaterThanOrEqual(2);
    expect(events.filter((e) => e.type === 'token' && e.rotatedRefreshToken).length).toBe(
      run1.stats.tokenRefreshes + 1,
    );
    // Strict rotation: the stored refresh token is the one the provider now accepts; client id/secret kept.
    expect(secrets.json('wrike-oauth')).toEqual({
      client_id: oauth.clientId,
      client_secret: oauth.clientSecret,
      refresh_token: s.currentRefreshToken(),
    });
    expect(s.currentRefreshToken()).not.toBe(oauth.refreshToken);

    // A new run (fresh process: empty token cache) starts from the stored refresh token.
    s.setFaults(undefined);
    const run2 = await drain(item, { secrets, tokenCache: new TokenCache() });
    expect(run2.ids.length).toBe(4000);
    expect(secrets.json('wrike-oauth').refresh_token).toBe(s.currentRefreshToken());
  });

  it('caches the access token until it expires: one token request for a whole run', async () => {
    const s = await sim({ tasks: 3000, rateLimit: false, oauth: { ...oauth, rotation: 'lenient' } });
    const secrets = new MemorySecretStore({
      'wrike-oauth': {
        client_id: oauth.clientId,
        client_secret: oauth.clientSecret,
        refresh_token: oauth.refreshToken,
      },
    });
    const events: SourceEvent[] = [];
    const cache = new TokenCache();
    const item = tasksItem(
      `${s.baseUrl}/tasks`,
      { type: 'OAUTH2', tokenKey: 'wrike-oauth', tokenUrl: s.tokenUrl },
      500,
    );
    await drain(item, { secrets, tokenCache: cache, onEvent: (e) => events.push(e) });
    await drain(item, { secrets, tokenCache: cache, onEvent: (e) => events.push(e) });
    expect(events.filter((e) => e.type === 'token').length).toBe(1);
    expect(events.filter((e) => e.type === 'page').length).toBe(12);
  });

  it('a 401 right after a refresh fails with a clear auth error that leaks no secret', async () => {
    const canary = 'canary-refresh-token-7f3a9c';
    const s = await sim({
      tasks: 10,
      rateLimit: false,
      oauth: { ...oauth, refreshToken: canary },
      faults: { expireTokensAfterRequests: 0 },
    });
    const secrets = new MemorySecretStore({
      'wrike-oauth': { client_id: oauth.clientId, client_secret: oauth.clientSecret, refresh_token: canary },
    });
    const events: SourceEvent[] = [];
    const item = tasksItem(
      `${s.baseUrl}/tasks`,
      { type: 'OAUTH2', tokenKey: 'wrike-oauth', tokenUrl: s.tokenUrl },
      5,
    );
    const err = await drain(item, {
      secrets,
      tokenCache: new TokenCache(),
      onEvent: (e) => events.push(e),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FloeError);
    const fe = err as FloeError;
    expect(fe.kind).toBe('auth');
    expect(fe.message).toMatch(/Wrike_Tasks: the API still answered 401 with a freshly refreshed token/);
    const everything = JSON.stringify([
      fe.message,
      fe.describe(),
      fe.context,
      events,
      String((fe.cause as Error)?.message),
    ]);
    expect(everything).not.toContain(canary);
    expect(everything).not.toContain(oauth.clientSecret);
    expect(everything).not.toContain(s.currentRefreshToken()!);
  });
});

describe('faults and rate limits', () => {
  it('with ~10 % injected faults (5xx, resets, truncated bodies, 429 bursts) the set equals the fault-free set', async () => {
    const s = await sim({ tasks: 10_000, rateLimit: false, seed: 5 });
    const secrets = new MemorySecretStore({ perm: 'sim-permanent-token' });
    const item = tasksItem(`${s.baseUrl}/tasks`, { type: 'PERM', tokenKey: 'perm' }, 50);
    const clean = await drain(item, { secrets });
    s.setFaults({
      seed: 9,
      serverErrorRate: 0.03,
      resetRate: 0.03,
      truncateRate: 0.03,
      throttleBurstRate: 0.015,
      throttleBurstLength: 3,
    });
    s.resetStats();
    const events: SourceEvent[] = [];
    const faulty = await drain(item, { secrets, onEvent: (e) => events.push(e) });
    expect(faulty.records).toEqual(clean.records);
    expect(faulty.ids.length).toBe(10_000);
    const st = s.stats();
    const serverErrors = (st.byStatus[500] ?? 0) + (st.byStatus[502] ?? 0) + (st.byStatus[503] ?? 0);
    expect(serverErrors).toBeGreaterThan(0);
    expect(st.throttled).toBeGreaterThan(0);
    expect(faulty.stats.retries).toBeGreaterThanOrEqual(serverErrors + st.throttled);
    const reasons = events.filter((e) => e.type === 'retry').map((e) => (e.type === 'retry' ? e.reason : ''));
    expect(reasons.some((r) => /not valid JSON/.test(r))).toBe(true);
    expect(reasons.some((r) => /ECONNRESET|terminated|other side closed|socket/i.test(r))).toBe(true);
  });

  it('a client limiter at the API limit sees no 429 (and without it the same run is throttled)', async () => {
    // Wrike's 400/min scaled to 3000/min so the test takes seconds; the simulator's bucket holds one second.
    const s = await sim({ tasks: 8000, rateLimit: { requestsPerMinute: 3000 }, seed: 2 });
    const secrets = new MemorySecretStore({ perm: 'sim-permanent-token' });
    const base = tasksItem(`${s.baseUrl}/tasks`, { type: 'PERM', tokenKey: 'perm' }, 50);
    const limited: SourceItemInput = {
      ...base,
      source: { ...base.source, rateLimit: { requestsPerMinute: 3000 } },
    };
    const run = await drain(limited, { secrets });
    expect(run.ids.length).toBe(8000);
    expect(s.stats().throttled).toBe(0);
    expect(run.stats.rateLimited).toBe(0);
    // 160 requests at 50/s: the limiter used the budget, it did not just crawl. Its own waiting
    // (not wall time, which a loaded machine stretches) stays within what the budget requires.
    expect(run.stats.clientThrottleMs).toBeLessThanOrEqual((160 / 50) * 1000);

    await new Promise((r) => setTimeout(r, 1100)); // let the simulator's bucket refill
    s.resetStats();
    const unlimited = await drain(base, { secrets });
    expect(unlimited.ids.length).toBe(8000);
    expect(s.stats().throttled).toBeGreaterThan(0);
  });
});
