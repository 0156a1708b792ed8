/**
 * MERGE against concurrent writers (hosts may share a catalog): a MERGE planned against one
 * snapshot must never be committed blindly on top of another writer's rows. Each case loads two
 * handles on one table, lets handle B commit while handle A's view is stale, then has A merge:
 * every key must end up exactly once, with the newest version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFloeError } from '../../src/errors.js';
import { createTable, loadTable, type Table } from '../../src/iceberg/index.js';
import { type TempCatalog, tempCatalog } from '../support/temp-catalog.js';

let tc: TempCatalog;
beforeAll(async () => {
  tc = tempCatalog();
  await tc.catalog.createNamespace(['mc']);
});
afterAll(async () => tc.cleanup());

const schema = [
  { name: 'id', type: 'long' },
  { name: 'v', type: 'string' },
  { name: 'updated', type: 'timestamptz' },
];
const row = (id: number, v: string, day = 1) => ({ id, v, updated: `2024-01-0${day}T00:00:00Z` });

async function byId(t: Table): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  for (const r of await t.scan().toRows())
    out.set(Number(r.id), [...(out.get(Number(r.id)) ?? []), String(r.v)]);
  return out;
}

describe('MERGE validates against concurrent commits', () => {
  it('two MERGEs into an empty table with the same keys: each key once (no blind append)', async () => {
    const a = await createTable(tc.catalog, 'mc.empty', { schema });
    const b = await loadTable(tc.catalog, 'mc.empty');
    await b.merge([row(1, 'b1', 2), row(2, 'b2', 2)], { keys: ['id'], orderBy: 'updated' });
    // A still sees the empty table: its plan has nothing to replace.
    const r = await a.merge([row(1, 'a1', 3), row(2, 'a2', 3)], { keys: ['id'], orderBy: 'updated' });
    expect(r.replans).toBeGreaterThanOrEqual(1);
    const rows = await byId(await loadTable(tc.catalog, 'mc.empty'));
    expect([...rows.entries()].sort()).toEqual([
      [1, ['a1']],
      [2, ['a2']],
    ]);
  });

  it('a concurrent append of keys the MERGE updates: replanned, each key once', async () => {
    const a = await createTable(tc.catalog, 'mc.append', { schema });
    await a.append([row(1, 'old1'), row(5, 'old5')]);
    const b = await loadTable(tc.catalog, 'mc.append');
    await b.append([row(2, 'appended2'), row(7, 'appended7')]);
    await a.merge([row(2, 'merged2', 3), row(5, 'merged5', 3)], { keys: ['id'], orderBy: 'updated' });
    const rows = await byId(await loadTable(tc.catalog, 'mc.append'));
    expect(Object.fromEntries(rows)).toEqual({
      1: ['old1'],
      2: ['merged2'],
      5: ['merged5'],
      7: ['appended7'],
    });
  });

  it('a concurrent MERGE that rewrote the file this MERGE planned to rewrite: replanned, nothing lost', async () => {
    const a = await createTable(tc.catalog, 'mc.rewrite', { schema });
    await a.append([row(1, 'v1'), row(2, 'v2'), row(3, 'v3')]);
    const b = await loadTable(tc.catalog, 'mc.rewrite');
    await b.merge([row(2, 'b2', 2)], { keys: ['id'], orderBy: 'updated' });
    await a.merge([row(3, 'a3', 3)], { keys: ['id'], orderBy: 'updated' });
    const rows = await byId(await loadTable(tc.catalog, 'mc.rewrite'));
    expect(Object.fromEntries(rows)).toEqual({ 1: ['v1'], 2: ['b2'], 3: ['a3'] });
  });

  it('a validation hook can refuse the fresh state; the commit then changes nothing', async () => {
    const a = await createTable(tc.catalog, 'mc.hook', { schema });
    await a.append([row(1, 'v1')]);
    const b = await loadTable(tc.catalog, 'mc.hook');
    await b.append([row(2, 'v2')]);
    const before = (await loadTable(tc.catalog, 'mc.hook')).currentSnapshot()!['snapshot-id'];
    let calls = 0;
    const err = await a
      .append([row(3, 'v3')], {
        validate: () => {
          if (++calls > 1) throw new Error('refused: someone else committed');
        },
      })
      .catch((e: unknown) => e);
    expect(String(err)).toMatch(/refused/);
    expect(isFloeError(err)).toBe(false);
    const after = await loadTable(tc.catalog, 'mc.hook');
    expect(after.currentSnapshot()!['snapshot-id']).toBe(before);
    expect([...(await byId(after)).keys()].sort()).toEqual([1, 2]);
  });
});

describe('a whole-table OVERWRITE validates against concurrent commits', () => {
  it('refuses to delete rows another writer added after it read the table; the table keeps them', async () => {
    const a = await createTable(tc.catalog, 'mc.overwrite', { schema });
    await a.append([row(1, 'v1')]);
    const b = await loadTable(tc.catalog, 'mc.overwrite');
    await b.append([row(2, 'added-meanwhile')]);
    const err = await a.overwrite([row(3, 'replacement')]).catch((e: unknown) => e);
    expect(isFloeError(err, 'commit-conflict')).toBe(true);
    expect((err as Error).message).toMatch(/replacing the table now would delete those rows/);
    const rows = await byId(await loadTable(tc.catalog, 'mc.overwrite'));
    expect([...rows.keys()].sort()).toEqual([1, 2]);
    // Once it has seen the new state, the overwrite goes through.
    await a.refresh();
    await a.overwrite([row(3, 'replacement')]);
    expect([...(await byId(await loadTable(tc.catalog, 'mc.overwrite'))).keys()]).toEqual([3]);
  });
});
