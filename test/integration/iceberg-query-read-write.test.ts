/**
 * The columnar write and read paths L2 stands on: OVERWRITE and MERGE of a DuckDB query's rows
 * (MERGE leaving unchanged rows alone), dropping columns, the Iceberg schema of a query, and the
 * reading API (columns, filters, incremental by column and by snapshot range as net changes,
 * whatever operation wrote the range).
 */
import { existsSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlString, withDuck } from '../../src/duck/session.js';
import { isFloeError } from '../../src/errors.js';
import {
  createTable,
  type FieldInput,
  IcebergReader,
  loadTable,
  queryFields,
  RANGE_UNAVAILABLE,
  stageQuery,
  type Table,
  uriToPath,
  where,
} from '../../src/iceberg/index.js';
import { type TempCatalog, tempCatalog } from '../support/temp-catalog.js';

let tc: TempCatalog;
beforeAll(async () => {
  tc = tempCatalog();
  await tc.catalog.createNamespace(['ns']);
});
afterAll(async () => tc.cleanup());

const fields: FieldInput[] = [
  { name: 'id', type: 'long' },
  { name: 'name', type: 'string' },
  { name: 'tags', type: { type: 'list', element: 'string' } },
  { name: 'run', type: 'string' },
];

/** A VALUES query of (id, name, tags, run) rows. */
function values(rows: [number, string, string[], string][]): string {
  const lit = rows.map(
    ([id, name, tags, run]) =>
      `(${id}::BIGINT, ${sqlString(name)}, [${tags.map(sqlString).join(', ')}]::VARCHAR[], ${sqlString(run)})`,
  );
  return `SELECT * FROM (VALUES ${lit.join(', ')}) v(id, name, tags, run)`;
}

async function content(t: Table): Promise<string[]> {
  const rows = await t.scan().toRows();
  return rows.map((r) => `${r.id}:${r.name}:${(r.tags as string[]).join('+')}:${r.run}`).sort();
}

describe('writes from a DuckDB query', () => {
  it('overwriteQuery replaces every row, and refuses rows another writer added meanwhile', async () => {
    const t = await createTable(tc.catalog, 'ns.ow', { schema: fields });
    await t.appendQuery(values([[1, 'a', ['x'], 'r1']]));
    await t.overwriteQuery(
      values([
        [2, 'b', [], 'r2'],
        [3, 'c', ['y', 'z'], 'r2'],
      ]),
    );
    expect(await content(t)).toEqual(['2:b::r2', '3:c:y+z:r2']);
    const stale = await createTable(tc.catalog, 'ns.ow2', { schema: fields });
    const other = await loadTable(tc.catalog, 'ns.ow2');
    await other.appendQuery(values([[9, 'other', [], 'x']]));
    const e = await stale.overwriteQuery(values([[1, 'mine', [], 'y']])).catch((x) => x);
    expect(isFloeError(e, 'commit-conflict')).toBe(true);
  });

  it('mergeQuery upserts by key; skipUnchanged leaves equal rows alone and commits what changed', async () => {
    const t = await createTable(tc.catalog, 'ns.merge', { schema: fields });
    const first = await t.mergeQuery(
      values([
        [1, 'a', ['x'], 'r1'],
        [2, 'b', [], 'r1'],
        [3, 'c', ['q'], 'r1'],
      ]),
      {
        keys: ['id'],
      },
    );
    expect(first.plan.writtenRows).toBe(3n);
    // Row 1 unchanged (only the ignored run column differs), 2 changed (a list element), 4 new.
    const second = await t.mergeQuery(
      values([
        [1, 'a', ['x'], 'r2'],
        [2, 'b', ['new'], 'r2'],
        [4, 'd', [], 'r2'],
      ]),
      { keys: ['id'], skipUnchanged: { ignore: ['run'] } },
    );
    expect(second.plan).toMatchObject({ inputRows: 3n, writtenRows: 2n, matchedRows: 1n, unchangedRows: 1n });
    expect(await content(t)).toEqual(['1:a:x:r1', '2:b:new:r2', '3:c:q:r1', '4:d::r2']);
    // Nothing changed: an empty snapshot records the merge, the rows stay.
    const third = await t.mergeQuery(values([[4, 'd', [], 'r3']]), {
      keys: ['id'],
      skipUnchanged: { ignore: ['run'] },
    });
    expect(third.dataFiles).toBe(0);
    expect(third.snapshot.summary['added-records'] ?? '0').toBe('0');
    expect(await content(t)).toEqual(['1:a:x:r1', '2:b:new:r2', '3:c:q:r1', '4:d::r2']);
    // Without skipUnchanged every input row is written.
    const fourth = await t.mergeQuery(values([[4, 'd', [], 'r4']]), { keys: ['id'] });
    expect(fourth.plan.writtenRows).toBe(1n);
    expect(await content(t)).toContain('4:d::r4');
  });

  it('mergeQuery refuses duplicate and null keys unless the caller vouches for them', async () => {
    const t = await createTable(tc.catalog, 'ns.mergebad', { schema: fields });
    const dup = await t
      .mergeQuery(
        values([
          [1, 'a', [], 'r'],
          [1, 'b', [], 'r'],
        ]),
        { keys: ['id'] },
      )
      .catch((e) => e);
    expect(String(dup.message)).toMatch(/duplicate keys .*"id":"1"/);
    const nul = await t
      .mergeQuery(`SELECT NULL::BIGINT AS id, 'x' AS name, []::VARCHAR[] AS tags, 'r' AS run`, {
        keys: ['id'],
      })
      .catch((e) => e);
    expect(String(nul.message)).toMatch(/null key/);
    expect(t.currentSnapshot()).toBeUndefined();
  });

  it('dropColumns removes a column from the schema; other columns keep their ids', async () => {
    const t = await createTable(tc.catalog, 'ns.drop', { schema: fields });
    await t.appendQuery(values([[1, 'a', ['x'], 'r1']]));
    const before = t.schema().fields.find((f) => f.name === 'run')!.id;
    await t.updateSchema({ dropColumns: ['tags'] });
    expect(t.schema().fields.map((f) => f.name)).toEqual(['id', 'name', 'run']);
    expect(t.schema().fields.find((f) => f.name === 'run')!.id).toBe(before);
    expect(await t.scan().toRows()).toEqual([{ id: 1n, name: 'a', run: 'r1' }]);
    await expect(t.updateSchema({ dropColumns: ['nope'] })).rejects.toThrow(/"nope" does not exist/);
  });

  it('queryFields gives the Iceberg type that holds every value of each DuckDB column', async () => {
    const f = await withDuck((d) =>
      queryFields(
        d,
        `SELECT 1::TINYINT a, 2::BIGINT b, 3::UBIGINT c, 1.5::DECIMAL(9,2) d, 'x' e, now() f, now()::TIMESTAMP g,
          DATE '2024-01-01' h, [1,2] i, {'k': 1} j, MAP {'a': 1.5} k, 1.5::FLOAT l`,
      ),
    );
    expect(Object.fromEntries(f.map((x) => [x.name, x.type]))).toEqual({
      a: 'int',
      b: 'long',
      c: 'decimal(20, 0)',
      d: 'decimal(9, 2)',
      e: 'string',
      f: 'timestamptz',
      g: 'timestamp',
      h: 'date',
      i: { type: 'list', element: 'int' },
      j: { type: 'struct', fields: [{ name: 'k', type: 'int', required: false }] },
      k: { type: 'map', key: 'string', value: 'decimal(2, 1)' },
      l: 'float',
    });
    await expect(withDuck((d) => queryFields(d, `SELECT INTERVAL 1 DAY AS gap`))).rejects.toThrow(
      /column "gap" has DuckDB type INTERVAL.*cast it/,
    );
  });
});

describe('staged rows (written once, adopted by the commit)', () => {
  it('appendStaged adopts the staged files as they are; the staged rows stay readable until released', async () => {
    const t = await createTable(tc.catalog, 'ns.staged', { schema: fields });
    const staged = await withDuck((d) => stageQuery(d, t.schema(), values([[1, 'a', ['x'], 'r1']])));
    const r = await t.appendStaged(staged);
    expect(r.dataFiles).toBe(1);
    // Adopted: the committed file has the staged file's bytes (no second write).
    expect(statSync(uriToPath((await t.scan().plan()).tasks[0]!.file.file_path)).ino).toBe(
      statSync(staged.files[0]!.path).ino,
    );
    expect(await withDuck((d) => d.json(`SELECT count(*)::INT AS n FROM (${staged.sql})`))).toEqual([
      { n: 1 },
    ]);
    await staged.release();
    expect(existsSync(staged.files[0]!.path)).toBe(false);
    expect(await content(t)).toEqual(['1:a:x:r1']);
  });

  it('rows staged for a schema the table no longer has are written again, by name', async () => {
    const t = await createTable(tc.catalog, 'ns.staged2', { schema: fields });
    const staged = await withDuck((d) => stageQuery(d, t.schema(), values([[2, 'b', [], 'r1']])));
    await t.updateSchema({ addColumns: [{ name: 'extra', type: 'string' }] });
    await t.overwriteStaged(staged);
    await staged.release();
    expect(await t.scan().toRows()).toEqual([{ id: 2n, name: 'b', tags: [], run: 'r1', extra: null }]);
  });

  it('mergeStaged adds the rows to a table without data, and merges by key into one with data', async () => {
    const t = await createTable(tc.catalog, 'ns.staged3', { schema: fields });
    const first = await withDuck((d) =>
      stageQuery(
        d,
        t.schema(),
        values([
          [1, 'a', [], 'r1'],
          [2, 'b', [], 'r1'],
        ]),
      ),
    );
    const a = await t.mergeStaged(first, { keys: ['id'] });
    await first.release();
    expect(a.plan.writtenRows).toBe(2n);
    const second = await withDuck((d) =>
      stageQuery(
        d,
        t.schema(),
        values([
          [2, 'B', [], 'r2'],
          [3, 'c', [], 'r2'],
        ]),
      ),
    );
    const b = await t.mergeStaged(second, { keys: ['id'], skipUnchanged: { ignore: ['run'] } });
    await second.release();
    expect(b.plan).toMatchObject({ writtenRows: 2n, matchedRows: 1n });
    expect(await content(t)).toEqual(['1:a::r1', '2:B::r2', '3:c::r2']);
  });
});

describe('IcebergReader', () => {
  const reader = () => new IcebergReader(tc.catalog);

  it('reads a table with columns and a filter, and says whether a table exists and its schema', async () => {
    const t = await createTable(tc.catalog, 'ns.read', { schema: fields });
    await t.appendQuery(
      values([
        [1, 'a', ['x'], 'r1'],
        [2, 'b', [], 'r1'],
        [3, 'c', [], 'r1'],
      ]),
    );
    const r = await reader().read('ns.read', { columns: ['id', 'name'], filter: where.gte('id', 2) });
    expect((await r.toRows()).sort((a, b) => Number(a.id) - Number(b.id))).toEqual([
      { id: 2n, name: 'b' },
      { id: 3n, name: 'c' },
    ]);
    expect(await reader().tableExists('ns.read')).toBe(true);
    expect(await reader().tableExists('ns.nope')).toBe(false);
    expect((await reader().schema('ns.read')).fields.map((f) => f.name)).toEqual([
      'id',
      'name',
      'tags',
      'run',
    ]);
    await expect(reader().read('ns.read', { columns: ['nope'] })).rejects.toThrow(
      /column "nope" does not exist/,
    );
  });

  it('reads incrementally by column', async () => {
    const r = await reader().readIncremental('ns.read', { column: 'id', after: 1, columns: ['id'] });
    expect((await r.toRows()).map((x) => Number(x.id)).sort()).toEqual([2, 3]);
    const all = await reader().readIncremental('ns.read', {
      column: 'id',
      after: undefined,
      columns: ['id'],
    });
    expect(await all.toRows()).toHaveLength(3);
  });

  it('reads a snapshot range as net changes, across appends, merges and overwrites', async () => {
    const t = await createTable(tc.catalog, 'ns.changes', { schema: fields });
    await t.mergeQuery(
      values([
        [1, 'a', [], 'r1'],
        [2, 'b', [], 'r1'],
        [3, 'c', [], 'r1'],
      ]),
      { keys: ['id'] },
    );
    const s1 = t.currentSnapshot()!['snapshot-id'];
    // Copy-on-write MERGE: the file holding 1–3 is rewritten without 2; 2 and 4 are new versions.
    await t.mergeQuery(
      values([
        [2, 'B', [], 'r2'],
        [4, 'd', [], 'r2'],
      ]),
      { keys: ['id'] },
    );
    await t.appendQuery(values([[5, 'e', [], 'r3']]));
    const s3 = t.currentSnapshot()!['snapshot-id'];
    const since = async (from: bigint | undefined, extra: { ignore?: string[]; to?: bigint } = {}) =>
      (
        await (
          await reader().readIncremental('ns.changes', {
            fromSnapshotId: from,
            ...(extra.to !== undefined ? { toSnapshotId: extra.to } : {}),
            ...(extra.ignore ? { ignore: extra.ignore } : {}),
          })
        ).toRows()
      )
        .map((r) => `${r.id}:${r.name}`)
        .sort();
    expect(await since(s1)).toEqual(['2:B', '4:d', '5:e']);
    expect(await since(undefined)).toEqual(['1:a', '2:B', '3:c', '4:d', '5:e']);
    expect(await since(s3)).toEqual([]);
    // An overwrite of the same rows with a new run stamp: nothing changed once the stamp is ignored.
    await t.overwriteQuery(
      `SELECT id, name, tags, 'r4' AS run FROM (${values([
        [1, 'a', [], ''],
        [2, 'B', [], ''],
        [3, 'c', [], ''],
        [4, 'd', [], ''],
        [5, 'E', [], ''],
      ])})`,
    );
    const s4 = t.currentSnapshot()!['snapshot-id'];
    expect(await since(s3, { ignore: ['run'] })).toEqual(['5:E']);
    expect(await since(s3)).toHaveLength(5);
    expect(await since(s1, { to: s3 })).toEqual(['2:B', '4:d', '5:e']);
    expect(s4).not.toBe(s3);
    // A start that is not an ancestor of the end cannot be read as a range.
    const e = await since(s4, { to: s1 }).catch((x) => x);
    expect(isFloeError(e, 'not-found') && e.context.reason === RANGE_UNAVAILABLE).toBe(true);
    const gone = await since(123n).catch((x) => x);
    expect(gone.context.reason).toBe(RANGE_UNAVAILABLE);
  });

  it('reads files by name only when that means the same as by field id', async () => {
    const sqlOf = async (table: string) =>
      withDuck(async (d) => {
        const rel = await (await reader().read(table)).toDuck(d);
        await rel.release();
        return rel.sql;
      });
    // Every file holds the current columns: by name (DuckDB then knows the row counts).
    expect(await sqlOf('ns.read')).not.toContain('schema = MAP');
    // A column added after the first file was written: that file lacks it, so by field id.
    const t = await createTable(tc.catalog, 'ns.byname', { schema: fields });
    await t.appendQuery(values([[1, 'a', ['x'], 'r1']]));
    await t.updateSchema({ addColumns: [{ name: 'extra', type: 'string' }] });
    await t.appendQuery(
      `SELECT 2::BIGINT AS id, 'b' AS name, []::VARCHAR[] AS tags, 'r2' AS run, 'e' AS extra`,
    );
    expect(await sqlOf('ns.byname')).toContain('schema = MAP');
    // A name that changed meaning (dropped, then added again with another type): by field id, so
    // the old file's list is not read as the new string column.
    await t.updateSchema({ dropColumns: ['tags'] });
    await t.updateSchema({ addColumns: [{ name: 'tags', type: 'string' }] });
    await t.appendQuery(`SELECT 3::BIGINT AS id, 'c' AS name, 'r3' AS run, NULL AS extra, 't' AS tags`);
    const rows = await (await reader().read('ns.byname', { columns: ['id', 'tags', 'extra'] })).toRows();
    expect(rows.sort((a, b) => Number(a.id) - Number(b.id))).toEqual([
      { id: 1n, tags: null, extra: null },
      { id: 2n, tags: null, extra: 'e' },
      { id: 3n, tags: 't', extra: null },
    ]);
    expect(await sqlOf('ns.byname')).toContain('schema = MAP');
  });

  it('hands a read to DuckDB as SQL over the planned files', async () => {
    const r = await reader().read('ns.read', { filter: where.eq('name', 'b') });
    const n = await withDuck(async (d) => {
      const rel = await r.toDuck(d);
      try {
        return await d.json(`SELECT count(*)::INT AS n, any_value(tags) AS tags FROM (${rel.sql})`);
      } finally {
        await rel.release();
      }
    });
    expect(n).toEqual([{ n: 1, tags: [] }]);
  });
});
