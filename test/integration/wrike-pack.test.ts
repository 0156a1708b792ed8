/**
 * The Wrike connector pack, as shipped, against the Wrike simulator: every item, pointed at the
 * simulator with `wrikePack({ baseUrl })`, fetches exactly the simulator's records (tasks across
 * pages), and the incremental items (tasks, timelogs) fetch exactly what changed after the clock
 * moves. The simulator's rate limit stays on: the pack's own limit must keep the runs free of 429s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WRIKE_CONFIG_IDS, wrikePack } from '../../src/connectors/wrike/index.js';
import { startWrikeSimulator, type WrikeObject, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import { buildSource } from '../../src/source/index.js';
import { MemorySecretStore } from '../support/memory-secret-store.js';

const TOKEN_KEY = 'wrike-token';
const TASKS = 3000;

/** Which simulator object each pack item reads. */
const OBJECT: Record<(typeof WRIKE_CONFIG_IDS)[number], WrikeObject> = {
  Wrike_Contacts: 'contacts',
  Wrike_CustomFields: 'customfields',
  Wrike_Workflows: 'workflows',
  Wrike_Spaces: 'spaces',
  Wrike_Folders: 'folders',
  Wrike_Projects: 'projects',
  Wrike_ProjectsDetails: 'projects',
  Wrike_Tasks: 'tasks',
  Wrike_Timelogs: 'timelogs',
};

type Rec = Record<string, unknown>;

function packItem(sim: WrikeSimulator, configId: string): Rec {
  const item = wrikePack({ baseUrl: sim.origin }).find((i) => i.configId === configId);
  if (item === undefined) throw new Error(`no pack item ${configId}`);
  return item;
}

async function run(
  sim: WrikeSimulator,
  item: Rec,
  secrets: MemorySecretStore,
  opts: { loadType: 'FULL' | 'INCREMENTAL'; cursor?: string },
) {
  const source = buildSource(item, {
    secrets,
    loadType: opts.loadType,
    cursor: opts.cursor,
    now: () => sim.now(),
  });
  const records: Rec[] = [];
  for await (const page of source.pages()) records.push(...(page.records as Rec[]));
  return { records, cursorMax: source.cursorMax(), stats: source.stats() };
}

async function truth(sim: WrikeSimulator, object: WrikeObject): Promise<Rec[]> {
  const out: Rec[] = [];
  for await (const r of sim.records(object)) out.push(r);
  return out;
}

const ids = (rs: readonly Rec[]) => rs.map((r) => String(r.id)).sort();

describe('Wrike pack against the simulator', () => {
  let sim: WrikeSimulator;
  let secrets: MemorySecretStore;

  beforeAll(async () => {
    sim = await startWrikeSimulator({ tasks: TASKS, seed: 3 });
    secrets = new MemorySecretStore({ [TOKEN_KEY]: sim.permanentToken! });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('covers every config id', () => {
    expect(wrikePack().map((i) => i.configId)).toEqual([...WRIKE_CONFIG_IDS]);
  });

  it.each(WRIKE_CONFIG_IDS)('%s (FULL) fetches exactly the simulator records', async (configId) => {
    const object = OBJECT[configId];
    const { records, stats } = await run(sim, packItem(sim, configId), secrets, { loadType: 'FULL' });
    const expected = await truth(sim, object);
    expect(expected.length).toBeGreaterThan(0);
    expect(records.length).toBe(expected.length);
    expect(ids(records)).toEqual(ids(expected));
    if (object === 'tasks') {
      expect(records.length).toBe(TASKS);
      // 1000 per page: the nextPageToken chain was followed to the end.
      expect(stats.pages).toBe(3);
    }
    // The pack's full field lists reach the API (e.g. tasks' responsibleIds, folders' description).
    if (configId === 'Wrike_Tasks') expect(records[0]).toHaveProperty('responsibleIds');
    if (configId === 'Wrike_ProjectsDetails') expect(records[0]).toHaveProperty('description');
    expect(stats.rateLimited).toBe(0);
  });

  it.each(['Wrike_Tasks', 'Wrike_Timelogs'] as const)(
    '%s INCREMENTAL after the clock moves fetches exactly the changed records',
    async (configId) => {
      const local = await startWrikeSimulator({ tasks: TASKS, seed: 11 });
      try {
        const item = packItem(local, configId);
        const object = OBJECT[configId];
        const full = await run(local, item, secrets, { loadType: 'FULL' });
        expect(full.cursorMax).toBeDefined();
        const cursor = full.cursorMax!;
        const before = local
          .now()
          .toISOString()
          .replace(/\.\d{3}Z$/, 'Z');
        local.advanceClock(36 * 3600 * 1000);

        const inc = await run(local, item, secrets, { loadType: 'INCREMENTAL', cursor });
        const after = await truth(local, object);
        // The filter is updatedDate >= cursor (Wrike's start is inclusive): the changed and new
        // records, plus any record sitting exactly on the cursor.
        const expected = after.filter((r) => String(r.updatedDate) >= cursor);
        expect(ids(inc.records)).toEqual(ids(expected));
        const changed = after.filter((r) => String(r.updatedDate) > before);
        expect(changed.length).toBeGreaterThan(0);
        expect(inc.records.length).toBeLessThan(full.records.length);
        expect(inc.records.length - changed.length).toBeLessThanOrEqual(
          after.filter((r) => r.updatedDate === cursor).length,
        );
        expect(inc.cursorMax! > cursor).toBe(true);
      } finally {
        await local.close();
      }
    },
  );
});
