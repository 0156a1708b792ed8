/**
 * The Cvent simulator behaves like Cvent's documented API (see src/sim/cvent/server.ts for the
 * sources), and the Cvent pack copes with its faults: a token that expires mid-run is renewed,
 * server errors and resets are retried, per-second 429s are waited out with none left at the
 * end, and a used-up daily quota stops the config at once with the time it resets.
 */
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cventPack } from '../../src/connectors/cvent/index.js';
import { CventWorld } from '../../src/sim/cvent/data.js';
import { type CventObject, type CventSimulator, startCventSimulator } from '../../src/sim/cvent/index.js';
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

describe('Cvent simulator: session attendance (GET /sessions/attendance)', () => {
  // Few events and many attendees, so sessions draw more registrants than some of them seat.
  const OPTS = { seed: 12, events: 4, sessions: 40, attendees: 3000, contacts: 500, speakers: 5 };
  const T0 = Date.parse('2024-01-01T00:00:00Z') / 1000;
  let sim: CventSimulator;
  let bearer: string;
  let truth: Rec[];
  beforeAll(async () => {
    sim = await startCventSimulator({ ...OPTS, rateLimit: false });
    bearer = await token(sim);
    truth = await all(sim, 'session-attendance');
  });
  afterAll(async () => {
    await sim.close();
  });

  async function all(s: CventSimulator, object: CventObject): Promise<Rec[]> {
    const out: Rec[] = [];
    for await (const r of s.records(object)) out.push(r);
    return out;
  }

  /** Every page of a list, following paging.nextToken. */
  async function pages(query: string): Promise<{ data: Rec[]; first: Rec }> {
    let res = await get(sim, `/sessions/attendance?${query}`, bearer);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const first = res.body.paging as Rec;
    const data = [...(res.body.data as Rec[])];
    while ((res.body.paging as Rec).nextToken) {
      res = await get(sim, `/sessions/attendance?token=${(res.body.paging as Rec).nextToken}`, bearer);
      data.push(...(res.body.data as Rec[]));
    }
    return { data, first };
  }
  const q = (filter: string) => `limit=200&filter=${encodeURIComponent(filter)}`;

  it('pages the check-ins with limit/token and totalCount, in creation order, exactly the ground truth', async () => {
    expect(truth.length).toBeGreaterThan(400);
    const { data, first } = await pages('limit=150');
    expect(first).toMatchObject({ limit: 150, totalCount: truth.length });
    expect((first._links as Rec).next).toEqual({ href: `/ea/sessions/attendance?token=${first.nextToken}` });
    expect(data).toEqual(truth);
    const created = truth.map((r) => Date.parse(String(r.created)));
    expect(created).toEqual([...created].sort((a, b) => a - b));
    // The record shape of the spec's sessions-attendance-response.
    const sample = truth.find((r) => r.checkOut !== undefined)!;
    expect(Object.keys(sample).sort()).toEqual(
      [
        'attendee',
        'checkIn',
        'checkOut',
        'created',
        'createdBy',
        'deleted',
        'duration',
        'event',
        'id',
        'lastModified',
        'lastModifiedBy',
        'session',
      ].sort(),
    );
    expect(sample.id).toBe(`${(sample.session as Rec).id}::${(sample.attendee as Rec).id}`);
  });

  it('filters: after/before on lastModified, filter= on its documented fields, 400 on others', async () => {
    const cut = String(truth[Math.floor(truth.length / 2)]!.lastModified);
    const lm = (r: Rec) => Date.parse(String(r.lastModified));
    const after = await pages(`limit=200&after=${encodeURIComponent(cut)}`);
    expect(after.data.map((r) => r.id)).toEqual(
      truth.filter((r) => lm(r) > Date.parse(cut)).map((r) => r.id),
    );
    const before = await pages(`limit=200&before=${encodeURIComponent(cut)}`);
    expect(before.data.map((r) => r.id)).toEqual(
      truth.filter((r) => lm(r) < Date.parse(cut)).map((r) => r.id),
    );

    const one = truth[7]!;
    const sessionId = String((one.session as Rec).id);
    const bySession = await pages(q(`session.id eq '${sessionId}' and deleted eq 'false'`));
    const want = truth.filter((r) => (r.session as Rec).id === sessionId && r.deleted === false);
    expect(want.length).toBeGreaterThan(1);
    expect(bySession.data.map((r) => r.id)).toEqual(want.map((r) => r.id));
    const removed = await pages(q("deleted eq 'true'"));
    expect(removed.data.length).toBeGreaterThan(0);
    expect(removed.data.map((r) => r.id)).toEqual(truth.filter((r) => r.deleted === true).map((r) => r.id));
    const attendeeId = String((one.attendee as Rec).id);
    const byAttendee = await pages(q(`attendee.id eq '${attendeeId}' or id contains '${sessionId}'`));
    expect(byAttendee.data.map((r) => r.id)).toEqual(
      truth
        .filter((r) => (r.attendee as Rec).id === attendeeId || String(r.id).includes(sessionId))
        .map((r) => r.id),
    );
    const bad = await get(sim, `/sessions/attendance?${q("checkIn gt '2023-01-01T00:00:00Z'")}`, bearer);
    expect(bad.status).toBe(400);
    expect(((bad.body.details as Rec[])[0] as Rec).message).toMatch(/'checkIn' is not a filterable field/);
  });

  it('only confirmed registrants of the session’s own event check in, once, up to its capacity', async () => {
    const world = new CventWorld(OPTS.seed, T0, OPTS);
    const attendees = new Map((await all(sim, 'attendees')).map((a, i) => [String(a.id), { a, i }]));
    const sessions = new Map((await all(sim, 'sessions')).map((s) => [String(s.id), s]));
    const listed = new Map<string, number>();
    const seen = new Set<string>();
    for (const r of truth) {
      const s = sessions.get(String((r.session as Rec).id))!;
      const { a, i } = attendees.get(String((r.attendee as Rec).id))!;
      expect(seen.has(String(r.id))).toBe(false);
      seen.add(String(r.id));
      expect((r.event as Rec).id).toBe((s.event as Rec).id);
      expect((a.event as Rec).id).toBe((s.event as Rec).id);
      const checkIn = Date.parse(String(r.checkIn));
      const doors = Date.parse(String(s.start)) - 600_000;
      // Registered before the doors opened (ten minutes before the start), then came.
      expect(Date.parse(String(a.registeredAt))).toBeLessThan(doors);
      expect(checkIn).toBeGreaterThanOrEqual(doors);
      expect(checkIn).toBeLessThan(Date.parse(String(s.start)) + 901_000);
      // Confirmed (Accepted or Visited) as the attendee's record read when they checked in.
      expect(['Accepted', 'Visited']).toContain(world.attendeeStatus(i, Math.floor(checkIn / 1000)));
      if (r.checkOut !== undefined) {
        expect(r.duration).toBe(Date.parse(String(r.checkOut)) - checkIn);
        expect(r.duration as number).toBeGreaterThan(0);
      } else expect(r.duration).toBeUndefined();
      expect(Date.parse(String(r.created))).toBeGreaterThanOrEqual(checkIn);
      expect(Date.parse(String(r.lastModified))).toBeGreaterThanOrEqual(Date.parse(String(r.created)));
      listed.set(String(s.id), (listed.get(String(s.id)) ?? 0) + 1);
    }
    // Removed check-ins included, a session never lists more than it seats; and the capacity
    // bites: some sessions drew more willing registrants than they had seats.
    for (const [id, n] of listed) expect(n).toBeLessThanOrEqual(Number(sessions.get(id)!.capacity));
    expect([...listed].filter(([id, n]) => n === Number(sessions.get(id)!.capacity)).length).toBeGreaterThan(
      2,
    );
    expect([...listed].filter(([id, n]) => n < Number(sessions.get(id)!.capacity)).length).toBeGreaterThan(2);
  });

  it('as the clock moves: check-ins at the doors, then check-outs, imports and removals, each moving lastModified', async () => {
    const local = await startCventSimulator({ ...OPTS, rateLimit: false });
    try {
      const at = () => local.now().getTime();
      // The next session to open its doors: the clock is moved around it.
      const next = (await all(local, 'sessions'))
        .filter((s) => Date.parse(String(s.start)) - 600_000 > at())
        .sort((a, b) => Date.parse(String(a.start)) - Date.parse(String(b.start)))[0]!;
      const start = Date.parse(String(next.start));
      const ofNext = (rs: Rec[]) => rs.filter((r) => (r.session as Rec).id === next.id);
      const steps: { t: number; records: Map<string, Rec> }[] = [];
      for (const t of [start - 660_000, start + 840_000, Date.parse(String(next.end)) + 4 * 86_400_000]) {
        local.advanceClock(t - at());
        steps.push({
          t,
          records: new Map((await all(local, 'session-attendance')).map((r) => [String(r.id), r])),
        });
      }
      const [closed, open, later] = steps as [(typeof steps)[0], (typeof steps)[0], (typeof steps)[0]];
      expect(ofNext([...closed.records.values()])).toEqual([]);
      // Doors open: the scans arrive as they happen.
      const scanned = ofNext([...open.records.values()]);
      expect(scanned.length).toBeGreaterThan(5);
      for (const r of scanned) expect(r).toMatchObject({ createdBy: 'OnArrival', created: r.checkIn });
      // Days later: check-outs and removals of known check-ins, and imports of the session's others.
      const changed: Rec[] = [];
      for (const [from, to] of [
        [closed, open],
        [open, later],
      ] as const) {
        for (const [id, was] of from.records) {
          const r = to.records.get(id);
          expect(r, `${id} vanished`).toBeDefined();
          if (isDeepStrictEqual(r, was)) continue;
          changed.push(r!);
          expect(Date.parse(String(r!.lastModified))).toBeGreaterThanOrEqual(from.t);
          // What a check-in keeps: who, where, when it was scanned and created.
          for (const k of ['session', 'attendee', 'event', 'checkIn', 'created', 'createdBy'])
            expect(r![k], k).toEqual(was[k]);
          expect(r!.deleted === true || (was.checkOut === undefined && r!.checkOut !== undefined)).toBe(true);
        }
        for (const [id, r] of to.records)
          if (!from.records.has(id)) expect(Date.parse(String(r.created))).toBeGreaterThanOrEqual(from.t);
      }
      expect(changed.some((r) => r.deleted === true)).toBe(true);
      expect(changed.some((r) => r.deleted === false && r.checkOut !== undefined)).toBe(true);
      // The session's later arrivals: the last scans at the door, and imports after it ended.
      const arrived = ofNext([...later.records.values()]).filter((r) => !open.records.has(String(r.id)));
      const imported = arrived.filter((r) => r.createdBy === 'api.integration');
      expect(imported.length).toBeGreaterThan(0);
      for (const r of imported)
        expect(Date.parse(String(r.created))).toBeGreaterThan(Date.parse(String(next.end)));
      for (const r of arrived.filter((x) => x.createdBy !== 'api.integration'))
        expect(r).toMatchObject({ createdBy: 'OnArrival', created: r.checkIn });
    } finally {
      await local.close();
    }
  });

  it('answers 401 without a valid token and 429 past the tier, as the other lists do', async () => {
    expect(await get(sim, '/sessions/attendance', 'nope')).toMatchObject({
      status: 401,
      body: { code: 401, message: 'Unauthorized' },
    });
    const limited = await startCventSimulator({ ...OPTS, rateLimit: { tier: 'free' } });
    try {
      const b = await token(limited);
      const answers = await Promise.all(
        Array.from({ length: 4 }, () => get(limited, '/sessions/attendance?limit=5', b)),
      );
      expect(answers.map((a) => a.status)).toContain(200);
      expect(answers.find((a) => a.status === 429)?.body).toEqual({ code: 429, message: 'Limit Exceeded' });
    } finally {
      await limited.close();
    }
  });
});
