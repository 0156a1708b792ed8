/** The Wrike simulator's auth (permanent tokens, OAuth2 grants, rotation, expiry), rate limit and faults. */
import { afterEach, describe, expect, it } from 'vitest';
import { startWrikeSimulator, type WrikeSimOptions, type WrikeSimulator } from '../../src/sim/wrike/index.js';

const TOKEN = 'sim-permanent-token';
const OAUTH = { clientId: 'cid', clientSecret: 'csecret', refreshToken: 'rt-0' };
let sims: WrikeSimulator[] = [];

async function start(opts: WrikeSimOptions): Promise<WrikeSimulator> {
  const s = await startWrikeSimulator({ tasks: 300, ...opts });
  sims.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});

async function token(
  sim: WrikeSimulator,
  form: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const res = await fetch(sim.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const refresh = (sim: WrikeSimulator, rt: string) =>
  token(sim, {
    grant_type: 'refresh_token',
    refresh_token: rt,
    client_id: OAUTH.clientId,
    client_secret: OAUTH.clientSecret,
  });

async function call(sim: WrikeSimulator, tok: string | undefined, path = '/tasks?pageSize=5') {
  const res = await fetch(sim.baseUrl + path, { headers: tok ? { authorization: `bearer ${tok}` } : {} });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('Wrike simulator: auth', () => {
  it('accepts permanent tokens as Bearer header or access_token query, and answers 401 not_authorized otherwise', async () => {
    const sim = await start({ rateLimit: false, permanentTokens: [TOKEN, 'second-token'] });
    expect((await call(sim, TOKEN)).status).toBe(200);
    expect((await call(sim, 'second-token')).status).toBe(200);
    expect((await fetch(`${sim.baseUrl}/contacts?access_token=${TOKEN}`)).status).toBe(200);
    const bad = await call(sim, 'wrong');
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.text)).toEqual({
      errorDescription: 'Access token is unknown or invalid',
      error: 'not_authorized',
    });
    const none = await call(sim, undefined);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text).error).toBe('not_authorized');
  });

  it('refresh_token grant: bearer response with host, rotation strict invalidates the old refresh token', async () => {
    const sim = await start({ rateLimit: false, oauth: { ...OAUTH, rotation: 'strict' } });
    expect(sim.currentRefreshToken()).toBe('rt-0');
    const r1 = await refresh(sim, 'rt-0');
    expect(r1.status).toBe(200);
    expect(r1.body).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 3600,
      host: sim.origin.replace('http://', ''),
    });
    expect(r1.body.refresh_token).not.toBe('rt-0');
    expect(sim.currentRefreshToken()).toBe(r1.body.refresh_token);
    // The client keeps the token URL's scheme and takes host[:port] from `host`.
    expect((await call(sim, r1.body.access_token as string)).status).toBe(200);
    const again = await refresh(sim, 'rt-0');
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');
    const r2 = await refresh(sim, r1.body.refresh_token as string);
    expect(r2.status).toBe(200);
    expect(sim.currentRefreshToken()).toBe(r2.body.refresh_token);
  });

  it('rotation lenient keeps old refresh tokens valid; wrong client credentials get 401 invalid_client', async () => {
    const sim = await start({ rateLimit: false, oauth: { ...OAUTH, rotation: 'lenient' } });
    const r1 = await refresh(sim, 'rt-0');
    const r2 = await refresh(sim, 'rt-0');
    expect(r1.status).toBe(200);
    expect(r2.status).toBe(200);
    expect(r2.body.refresh_token).not.toBe(r1.body.refresh_token);
    expect(sim.currentRefreshToken()).toBe(r2.body.refresh_token);
    const badClient = await token(sim, {
      grant_type: 'refresh_token',
      refresh_token: 'rt-0',
      client_id: 'cid',
      client_secret: 'nope',
    });
    expect(badClient.status).toBe(401);
    expect(badClient.body.error).toBe('invalid_client');
    const badGrant = await token(sim, { grant_type: 'password', client_id: 'cid', client_secret: 'csecret' });
    expect(badGrant.status).toBe(400);
    expect(badGrant.body.error).toBe('unsupported_grant_type');
    // HTTP Basic client authentication.
    const basic = await token(
      sim,
      { grant_type: 'refresh_token', refresh_token: 'rt-0' },
      { authorization: `Basic ${Buffer.from('cid:csecret').toString('base64')}` },
    );
    expect(basic.status).toBe(200);
  });

  it('authorization_code grant: preconfigured and authorize-issued codes work once', async () => {
    const sim = await start({ rateLimit: false, oauth: OAUTH });
    const form = {
      grant_type: 'authorization_code',
      client_id: OAUTH.clientId,
      client_secret: OAUTH.clientSecret,
    };
    const first = await token(sim, { ...form, code: 'sim-authorization-code' });
    expect(first.status).toBe(200);
    expect((await call(sim, first.body.access_token as string)).status).toBe(200);
    expect((await token(sim, { ...form, code: 'sim-authorization-code' })).body.error).toBe('invalid_grant');
    const auth = await fetch(
      `${sim.origin}/oauth2/authorize/v4?client_id=cid&response_type=code&redirect_uri=${encodeURIComponent('http://localhost/cb')}&state=xyz`,
      { redirect: 'manual' },
    );
    expect(auth.status).toBe(302);
    const loc = new URL(auth.headers.get('location')!);
    expect(loc.searchParams.get('state')).toBe('xyz');
    const code = loc.searchParams.get('code')!;
    expect((await token(sim, { ...form, code })).status).toBe(200);
    expect((await token(sim, { ...form, code })).status).toBe(400);
  });

  it('access tokens expire after their TTL of simulated time', async () => {
    const sim = await start({ rateLimit: false, oauth: { ...OAUTH, accessTokenTtlSeconds: 60 } });
    const r = await refresh(sim, 'rt-0');
    expect(r.body.expires_in).toBe(60);
    const at = r.body.access_token as string;
    sim.advanceClock(59_000);
    expect((await call(sim, at)).status).toBe(200);
    sim.advanceClock(1_000);
    const expired = await call(sim, at);
    expect(expired.status).toBe(401);
    expect(JSON.parse(expired.text).error).toBe('not_authorized');
    expect((await call(sim, TOKEN)).status).toBe(200); // permanent tokens do not expire
  });
});

describe('Wrike simulator: rate limit', () => {
  it('throttles bursts above one second of the 400/min budget with Wrike 429 bodies, no Retry-After by default', async () => {
    const sim = await start({});
    const results = await Promise.all(Array.from({ length: 20 }, () => call(sim, TOKEN, '/version')));
    const limited = results.filter((r) => r.status === 429);
    expect(results.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(6);
    expect(limited.length).toBeGreaterThanOrEqual(10);
    expect(JSON.parse(limited[0]!.text)).toEqual({
      error: 'rate_limit_exceeded',
      errorDescription: 'Rate limit exceeded, please try again later',
    });
    expect(limited[0]!.headers.get('retry-after')).toBeNull();
    expect(sim.stats().throttled).toBe(limited.length);
    // Another token has its own bucket.
    const other = await start({ permanentTokens: ['a-token', 'b-token'] });
    await Promise.all(Array.from({ length: 10 }, () => call(other, 'a-token', '/version')));
    expect((await call(other, 'b-token', '/version')).status).toBe(200);
  });

  it('sends Retry-After when asked, and recovers after waiting', async () => {
    const sim = await start({ rateLimit: { requestsPerMinute: 120, retryAfter: true } });
    const results = await Promise.all(Array.from({ length: 6 }, () => call(sim, TOKEN, '/version')));
    const limited = results.find((r) => r.status === 429)!;
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await call(sim, TOKEN, '/version')).status).toBe(200);
  });

  it('can be disabled', async () => {
    const sim = await start({ rateLimit: false });
    const results = await Promise.all(Array.from({ length: 50 }, () => call(sim, TOKEN, '/version')));
    expect(results.every((r) => r.status === 200)).toBe(true);
  });
});

describe('Wrike simulator: faults', () => {
  it('server errors: 500 with Wrike body, 502 html, 503; never on control endpoints', async () => {
    const sim = await start({ rateLimit: false, faults: { serverErrorRate: 1 } });
    const results = await Promise.all(Array.from({ length: 30 }, () => call(sim, TOKEN)));
    const statuses = new Set(results.map((r) => r.status));
    expect(statuses).toEqual(new Set([500, 502, 503]));
    expect(JSON.parse(results.find((r) => r.status === 500)!.text)).toEqual({
      errorDescription: expect.any(String),
      error: 'server_error',
    });
    expect(results.find((r) => r.status === 502)!.text).toContain('Bad Gateway');
    const stats = await fetch(`${sim.origin}/__sim/stats`);
    expect(stats.status).toBe(200);
    const body = (await stats.json()) as { requests: number; byStatus: Record<string, number> };
    expect(body.requests).toBe(30);
    expect((body.byStatus['500'] ?? 0) + (body.byStatus['502'] ?? 0) + (body.byStatus['503'] ?? 0)).toBe(30);
  });

  it('connection resets mid-response make the client fail', async () => {
    const sim = await start({ rateLimit: false, faults: { resetRate: 1 } });
    await expect(
      fetch(`${sim.baseUrl}/tasks?pageSize=1000`, { headers: { authorization: `Bearer ${TOKEN}` } }).then(
        (r) => r.text(),
      ),
    ).rejects.toThrow();
  });

  it('truncated bodies: short Content-Length or cut-off JSON', async () => {
    const sim = await start({ rateLimit: false, faults: { truncateRate: 1, seed: 3 } });
    let failures = 0;
    for (let k = 0; k < 6; k++) {
      try {
        const res = await fetch(`${sim.baseUrl}/tasks?pageSize=200`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        JSON.parse(await res.text());
      } catch {
        failures++;
      }
    }
    expect(failures).toBe(6);
  });

  it('429 bursts of the configured length', async () => {
    const sim = await start({
      rateLimit: false,
      faults: { throttleBurstRate: 0.2, throttleBurstLength: 4, seed: 9 },
    });
    const statuses: number[] = [];
    for (let k = 0; k < 60; k++) statuses.push((await call(sim, TOKEN, '/version')).status);
    const runs = statuses
      .join(',')
      .split('200')
      .map((s) => s.split(',').filter((x) => x === '429').length);
    expect(runs.some((n) => n >= 4)).toBe(true);
    expect(
      runs.every((n) => n % 4 === 0 || n === 0 || statuses.lastIndexOf(429) === statuses.length - 1),
    ).toBe(true);
    expect(sim.stats().throttled).toBe(statuses.filter((s) => s === 429).length);
  });

  it('slow responses', async () => {
    const sim = await start({ rateLimit: false, faults: { slowRate: 1, slowMs: 300 } });
    const t0 = performance.now();
    expect((await call(sim, TOKEN, '/version')).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('OAuth access tokens expire after N requests; refreshing recovers', async () => {
    const sim = await start({ rateLimit: false, oauth: OAUTH, faults: { expireTokensAfterRequests: 3 } });
    const at = (await refresh(sim, 'rt-0')).body;
    const statuses = [];
    for (let k = 0; k < 4; k++)
      statuses.push((await call(sim, at.access_token as string, '/version')).status);
    expect(statuses).toEqual([200, 200, 200, 401]);
    const next = (await refresh(sim, at.refresh_token as string)).body;
    expect((await call(sim, next.access_token as string, '/version')).status).toBe(200);
  });

  it('faults are deterministic per seed and can be set through POST /__sim/faults', async () => {
    const faults = { seed: 42, serverErrorRate: 0.3, throttleBurstRate: 0.1, throttleBurstLength: 2 };
    const run = async (sim: WrikeSimulator) => {
      const out: number[] = [];
      for (let k = 0; k < 40; k++) out.push((await call(sim, TOKEN, '/version')).status);
      return out;
    };
    const a = await start({ rateLimit: false, faults });
    const b = await start({ rateLimit: false });
    const res = await fetch(`${b.origin}/__sim/faults`, { method: 'POST', body: JSON.stringify(faults) });
    expect(res.status).toBe(200);
    const seqA = await run(a);
    expect(await run(b)).toEqual(seqA);
    expect(new Set(seqA).size).toBeGreaterThan(1);
    a.setFaults(undefined);
    expect((await run(a)).every((s) => s === 200)).toBe(true);
    await fetch(`${b.origin}/__sim/faults`, { method: 'POST', body: '{}' });
    expect((await run(b)).every((s) => s === 200)).toBe(true);
    b.resetStats();
    expect(b.stats()).toEqual({ requests: 0, byStatus: {}, throttled: 0 });
  });
});
