/**
 * The Cvent pack, as shipped, against the Cvent simulator: every item fetches exactly the
 * simulator's records (attendees across pages, registration types per event, session check-ins
 * with their removals), the incremental items fetch only what changed after the clock moves
 * (for session attendance: new check-ins, check-outs and removals), and the pack's rate limit
 * keeps runs free of 429s with the simulator's Standard tier on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CVENT_CONFIG_IDS, cventApiBase, cventPack } from '../../src/connectors/cvent/index.js';
import { type CventObject, type CventSimulator, startCventSimulator } from '../../src/sim/cvent/index.js';
import { buildSource, TokenCache } from '../../src/source/index.js';
import { TimestampValue } from '../../src/util/typed-values.js';
import { MemorySecretStore } from '../support/memory-secret-store.js';

type Rec = Record<string, unknown>;
const OBJECT: Record<(typeof CVENT_CONFIG_IDS)[number], CventObject> = {
  Cvent_Events: 'events',
  Cvent_RegistrationTypes: 'registration-types',
  Cvent_Sessions: 'sessions',
  Cvent_Speakers: 'speakers',
  Cvent_Contacts: 'contacts',
  Cvent_Attendees: 'attendees',
  Cvent_SessionAttendance: 'session-attendance',
};

function item(sim: CventSimulator, configId: string): Rec {
  const i = cventPack({ baseUrl: sim.origin }).find((c) => c.configId === configId);
  if (!i) throw new Error(`no pack item ${configId}`);
  return i;
}

async function run(
  sim: CventSimulator,
  it: Rec,
  opts: { loadType: 'FULL' | 'INCREMENTAL'; cursor?: string },
) {
  const secrets = new MemorySecretStore({
    'cvent-oauth': { client_id: sim.clientId, client_secret: sim.clientSecret },
  });
  const source = buildSource(it, { secrets, tokenCache: new TokenCache(), now: () => sim.now(), ...opts });
  const records: Rec[] = [];
  for await (const p of source.pages()) records.push(...(p.records as Rec[]));
  return { records, cursorMax: source.cursorMax(), stats: source.stats() };
}

async function truth(sim: CventSimulator, object: CventObject): Promise<Rec[]> {
  const out: Rec[] = [];
  for await (const r of sim.records(object)) out.push(r);
  return out;
}
const ids = (rs: readonly Rec[]) => rs.map((r) => String(r.id)).sort();

describe('Cvent pack against the simulator', () => {
  let sim: CventSimulator;
  beforeAll(async () => {
    sim = await startCventSimulator({ seed: 3, attendees: 1000, contacts: 400 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('resolves regions and hosts', () => {
    expect(cventApiBase(undefined)).toBe('https://api-platform.cvent.com/ea');
    expect(cventApiBase('eu')).toBe('https://api-platform-eur.cvent.com/ea');
    const eu = cventPack({ baseUrl: 'eu' })[0]!.source as {
      request: { url: string };
      auth: { tokenUrl: string };
    };
    expect(eu.request.url).toBe('https://api-platform-eur.cvent.com/ea/events');
    expect(eu.auth.tokenUrl).toBe('https://api-platform-eur.cvent.com/ea/oauth2/token');
    expect(() => cventApiBase('ftp://x')).toThrow(/Cvent base URL 'ftp:\/\/x' must be http or https/);
    expect(cventPack().map((c) => c.configId)).toEqual([...CVENT_CONFIG_IDS]);
  });

  it.each(CVENT_CONFIG_IDS)('%s (FULL) fetches exactly the simulator records', async (configId) => {
    const object = OBJECT[configId];
    const { records, stats } = await run(sim, item(sim, configId), { loadType: 'FULL' });
    const expected = await truth(sim, object);
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(records)).toEqual(ids(expected));
    expect(stats.rateLimited).toBe(0);
    if (object === 'attendees') expect(stats.pages).toBe(6); // 5 full pages of 200 + the empty one after
    if (object === 'registration-types') {
      expect(records.every((r) => typeof r.eventId === 'string')).toBe(true);
      expect(records.map((r) => `${r.id}|${r.eventId}`).sort()).toEqual(
        expected.map((r) => `${r.id}|${r.eventId}`).sort(),
      );
    }
    if (object !== 'registration-types') expect(records[0]!.lastModified).toBeInstanceOf(TimestampValue);
    if (object === 'session-attendance') {
      // Removed check-ins are read too (deleted: true); check-in and check-out come typed.
      const flags = (rs: readonly Rec[]) => rs.map((r) => `${r.id}|${r.deleted}`).sort();
      expect(flags(records)).toEqual(flags(expected));
      expect(expected.some((r) => r.deleted === true)).toBe(true);
      const out = records.find((r) => r.checkOut !== undefined && r.checkOut !== null)!;
      expect(out.checkIn).toBeInstanceOf(TimestampValue);
      expect(out.checkOut).toBeInstanceOf(TimestampValue);
    }
  });

  it.each(['Cvent_Attendees', 'Cvent_Contacts', 'Cvent_Events'] as const)(
    '%s INCREMENTAL after the clock moves fetches exactly the changed records',
    async (configId) => {
      const local = await startCventSimulator({ seed: 11, attendees: 800, contacts: 300 });
      try {
        const it = item(local, configId);
        const full = await run(local, it, { loadType: 'FULL' });
        const cursor = full.cursorMax!;
        expect(cursor).toMatch(/^\d{4}-\d{2}-\d{2}T/);
        local.advanceClock(36 * 3600 * 1000);
        const inc = await run(local, it, { loadType: 'INCREMENTAL', cursor });
        const after = await truth(local, OBJECT[configId]);
        // after=<cursor at second precision> is exclusive: the changes, plus records modified
        // within the cursor's own second.
        const since = Date.parse(`${cursor.slice(0, 19)}Z`);
        const expected = after.filter((r) => Date.parse(String(r.lastModified)) > since);
        expect(ids(inc.records)).toEqual(ids(expected));
        expect(inc.records.length).toBeGreaterThan(0);
        expect(inc.records.length).toBeLessThan(full.records.length);
      } finally {
        await local.close();
      }
    },
  );

  it('Cvent_SessionAttendance INCREMENTAL fetches exactly the new check-ins, the check-outs and the removals', async () => {
    const local = await startCventSimulator({ seed: 11, attendees: 800, contacts: 300 });
    try {
      // The first run happens ten minutes into the next session to start, while it fills up.
      const now = local.now().getTime();
      const next = (await truth(local, 'sessions'))
        .filter((s) => Date.parse(String(s.start)) - 600_000 > now)
        .sort((a, b) => Date.parse(String(a.start)) - Date.parse(String(b.start)))[0]!;
      local.advanceClock(Date.parse(String(next.start)) + 600_000 - now);
      const it = item(local, 'Cvent_SessionAttendance');
      const full = await run(local, it, { loadType: 'FULL' });
      const was = new Map((await truth(local, 'session-attendance')).map((r) => [String(r.id), r]));
      expect(ids(full.records)).toEqual([...was.keys()].sort());
      const cursor = full.cursorMax!;
      local.advanceClock(3 * 86_400_000);
      const inc = await run(local, it, { loadType: 'INCREMENTAL', cursor });
      const after = await truth(local, 'session-attendance');
      const since = Date.parse(`${cursor.slice(0, 19)}Z`);
      const expected = after.filter((r) => Date.parse(String(r.lastModified)) > since);
      expect(ids(inc.records)).toEqual(ids(expected));
      expect(inc.stats.rateLimited).toBe(0);
      // Every kind of change is there: check-ins the first run did not see, and ones it read
      // that were checked out or removed since.
      const fresh = expected.filter((r) => !was.has(String(r.id)));
      const edited = expected.filter((r) => was.has(String(r.id)));
      expect(fresh.length).toBeGreaterThan(0);
      expect(edited.some((r) => r.deleted === false && was.get(String(r.id))!.checkOut === undefined)).toBe(
        true,
      );
      expect(edited.some((r) => r.deleted === true)).toBe(true);
      // Nothing else: the check-ins that did not change are not read again.
      expect(inc.records.length).toBeLessThan(full.records.length);
    } finally {
      await local.close();
    }
  });
});
