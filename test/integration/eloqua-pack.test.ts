/**
 * The Eloqua pack, as shipped, against the Eloqua simulator: the base URL is discovered at
 * /id, REST assets page by page=/count=, form submissions per form, and contacts, accounts and
 * email activities through Bulk 2.0 exports (create → sync → poll → data → delete), each equal to
 * the simulator's records. Incremental items fetch only what changed after the clock moves
 * (epoch-string cursors for REST, SQL-datetime filters for Bulk).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ELOQUA_CONFIG_IDS, eloquaPack } from '../../src/connectors/eloqua/index.js';
import {
  type EloquaSimulator,
  type EloquaTruthObject,
  startEloquaSimulator,
} from '../../src/sim/eloqua/index.js';
import { buildSource, type SourceEvent, TokenCache } from '../../src/source/index.js';
import { MemorySecretStore } from '../support/memory-secret-store.js';

type Rec = Record<string, unknown>;
/** Simulator object and the record field holding its id. */
const OBJECT: Record<(typeof ELOQUA_CONFIG_IDS)[number], [EloquaTruthObject, string, string]> = {
  Eloqua_Campaigns: ['campaigns', 'id', 'id'],
  Eloqua_Emails: ['emails', 'id', 'id'],
  Eloqua_Forms: ['forms', 'id', 'id'],
  Eloqua_FormSubmissions: ['formSubmissions', 'id', 'id'],
  Eloqua_Accounts: ['accounts', 'AccountId', '{{Account.Id}}'],
  Eloqua_Contacts: ['contacts', 'ContactId', '{{Contact.Id}}'],
  Eloqua_EmailSends: ['activities:EmailSend', 'ActivityId', '{{Activity.Id}}'],
  Eloqua_EmailOpens: ['activities:EmailOpen', 'ActivityId', '{{Activity.Id}}'],
  Eloqua_EmailClickthroughs: ['activities:EmailClickthrough', 'ActivityId', '{{Activity.Id}}'],
};

const item = (sim: EloquaSimulator, id: string) =>
  eloquaPack({ baseUrl: sim.origin }).find((c) => c.configId === id)!;

async function run(
  sim: EloquaSimulator,
  it: Rec,
  opts: { loadType: 'FULL' | 'INCREMENTAL'; cursor?: string },
) {
  const secrets = new MemorySecretStore({
    'eloqua-login': { username: `${sim.login.company}\\${sim.login.user}`, password: sim.login.password },
  });
  const events: SourceEvent[] = [];
  const source = buildSource(it, {
    secrets,
    tokenCache: new TokenCache(),
    now: () => sim.now(),
    onEvent: (e) => events.push(e),
    ...opts,
  });
  const records: Rec[] = [];
  for await (const p of source.pages()) records.push(...(p.records as Rec[]));
  return { records, cursorMax: source.cursorMax(), stats: source.stats(), events };
}

async function truth(sim: EloquaSimulator, o: EloquaTruthObject): Promise<Rec[]> {
  const out: Rec[] = [];
  for await (const r of sim.records(o)) out.push(r);
  return out;
}

describe('Eloqua pack against the simulator', () => {
  let sim: EloquaSimulator;
  beforeAll(async () => {
    sim = await startEloquaSimulator({ seed: 3, contacts: 1200, emailSends: 1500 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it.each(ELOQUA_CONFIG_IDS)('%s (FULL) fetches exactly the simulator records', async (configId) => {
    const [object, idField, truthId] = OBJECT[configId];
    const { records, stats, events } = await run(sim, item(sim, configId), { loadType: 'FULL' });
    const expected = await truth(sim, object);
    expect(expected.length).toBeGreaterThan(0);
    expect(records.map((r) => String(r[idField])).sort()).toEqual(
      expected.map((r) => String(r[truthId])).sort(),
    );
    expect(events.some((e) => e.type === 'discovered')).toBe(true);
    expect(stats.rateLimited).toBe(0);
    // Bulk export definitions are deleted when the export has been read.
    expect(sim.exportDefinitions()).toBe(0);
  });

  it.each(['Eloqua_Campaigns', 'Eloqua_Contacts', 'Eloqua_EmailOpens', 'Eloqua_FormSubmissions'] as const)(
    '%s INCREMENTAL after the clock moves fetches only the changes',
    async (configId) => {
      const local = await startEloquaSimulator({
        seed: 11,
        contacts: 900,
        emailSends: 1200,
        churn: { newPerDayFraction: 0.05 },
      });
      try {
        const it = item(local, configId);
        const [object, idField, truthId] = OBJECT[configId];
        const full = await run(local, it, { loadType: 'FULL' });
        const cursor = full.cursorMax!;
        expect(cursor).toMatch(/^\d{4}-\d{2}-\d{2}T/);
        const before = await truth(local, object);
        local.advanceClock(48 * 3600 * 1000);
        const inc = await run(local, it, { loadType: 'INCREMENTAL', cursor });
        const after = await truth(local, object);
        const old = new Map(before.map((r) => [String(r[truthId]), JSON.stringify(r)]));
        const changed = after
          .filter((r) => old.get(String(r[truthId])) !== JSON.stringify(r))
          .map((r) => String(r[truthId]));
        const got = inc.records.map((r) => String(r[idField]));
        expect(changed.length).toBeGreaterThan(0);
        // Every change, plus at most the records of the cursor's own second (>= bounds).
        expect(got).toEqual(expect.arrayContaining(changed));
        expect(got.length - changed.length).toBeLessThanOrEqual(3);
        expect(inc.records.length).toBeLessThan(full.records.length);
      } finally {
        await local.close();
      }
    },
  );
});
