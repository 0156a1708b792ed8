/**
 * Merge-on-read MERGE: position delete files instead of rewrites, and everything that reads or
 * writes a table with them — reads and filtered reads, the snapshot-range changes L2 reads,
 * copy-on-write over delete files, the columnar mergeQuery with skipUnchanged, concurrent
 * commits — checked against a model of the upserts, and a random sequence of appends and merges
 * in both modes against the same model after every step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDuck } from '../../src/duck/session.js';
import { createTable, loadTable, type Table } from '../../src/iceberg/index.js';
import { readTableIncremental } from '../../src/iceberg/read/api.js';
import { where } from '../../src/iceberg/read/expr.js';
import { type TempCatalog, tempCatalog } from '../support/temp-catalog.js';

let tc: TempCatalog;
beforeAll(async () => {
  tc = tempCatalog();
  await tc.catalog.createNamespace(['mor']);
});
afterAll(async () => tc.cleanup());

const schema = [
  { name: 'id', type: 'long' },
  { name: 'v', type: 'string' },
  { name: 'n', type: 'int' },
];
type Row = { id: number; v: string; n: number };

async function rows(t: Table): Promise<Row[]> {
  return (await t.scan().toRows())
    .map((r) => ({ id: Number(r.id), v: String(r.v), n: Number(r.n) }))
    .sort((a, b) => a.id - b.id);
}
const sorted = (m: Map<number, Row>) => [...m.values()].sort((a, b) => a.id - b.id);

async function deleteFiles(t: Table): Promise<number> {
  const plan = await t.scan().plan();
  return new Set(plan.tasks.flatMap((x) => x.deletes.map((d) => d.file_path))).size;
}

describe('merge-on-read MERGE', () => {
  it('keeps data files, adds one scoped delete file per touched file, and reads like the model', async () => {
    const t = await createTable(tc.catalog, 'mor.basic', { schema });
    const model = new Map<number, Row>();
    for (let f = 0; f < 4; f++) {
      const batch = Array.from({ length: 25 }, (_, i) => ({ id: f * 25 + i, v: `a${f * 25 + i}`, n: 0 }));
      await t.append(batch);
      for (const r of batch) model.set(r.id, r);
    }
    const filesBefore = (await t.scan().plan()).tasks.map((x) => x.file.file_path);
    // Touches files 0 and 2 only (ids 3, 7 and 60), plus two new ids.
    const up = [3, 7, 60, 1000, 1001].map((id) => ({ id, v: `b${id}`, n: 1 }));
    const r = await t.merge(up, { keys: ['id'] });
    for (const x of up) model.set(x.id, x);
    expect(r.matchedRows).toBe(3n);
    const plan = await t.scan().plan();
    // Every old data file is still there; the two touched ones have a delete file each.
    for (const p of filesBefore) expect(plan.tasks.some((x) => x.file.file_path === p)).toBe(true);
    const withDeletes = plan.tasks.filter((x) => x.deletes.length > 0);
    expect(withDeletes.length).toBe(2);
    for (const task of withDeletes) {
      expect(task.deletes.length).toBe(1);
      expect(task.deletes[0]!.referenced_data_file).toBe(task.file.file_path);
    }
    expect(await rows(t)).toEqual(sorted(model));
    // A second merge of keys already replaced once matches the new versions, not the deleted ones.
    const again = [3, 1000].map((id) => ({ id, v: `c${id}`, n: 2 }));
    const r2 = await t.merge(again, { keys: ['id'] });
    for (const x of again) model.set(x.id, x);
    expect(r2.matchedRows).toBe(2n);
    expect(await rows(t)).toEqual(sorted(model));
    expect(await deleteFiles(t)).toBe(3);
  });

  it('NDJSON input with repeated keys: the staged path and the key-pass path (larger inputs) keep the same latest versions', async () => {
    const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'floe-dedupe-'));
    try {
      const lines = (xs: { id: number; v: string; n: number }[]) =>
        `${xs.map((x, seq) => JSON.stringify({ ...x, __floe_seq: seq })).join('\n')}\n`;
      // id 5 three times (n orders them: 9 wins though it comes first), id 6 twice (equal n: the last wins).
      const withRepeats = [
        { id: 5, v: 'five-latest', n: 9 },
        { id: 6, v: 'six-first', n: 1 },
        { id: 5, v: 'five-old', n: 1 },
        { id: 7, v: 'seven', n: 0 },
        { id: 6, v: 'six-last', n: 1 },
        { id: 5, v: 'five-older', n: 0 },
      ];
      const distinct = [
        { id: 8, v: 'eight', n: 0 },
        { id: 5, v: 'five-new', n: 10 },
      ];
      writeFileSync(join(dir, 'repeats.ndjson'), lines(withRepeats));
      writeFileSync(join(dir, 'distinct.ndjson'), lines(distinct));
      const results: Row[][] = [];
      // keypass_sliced: the key check groups its hashes in slices of 2 (by hash modulo), so the
      // repeats are found in whichever slice holds them.
      for (const [name, stageToDedupeBytes, keyCheckSliceRows] of [
        ['staged', undefined, undefined],
        ['keypass', 0, undefined],
        ['keypass_sliced', 0, 2],
      ] as const) {
        const t = await createTable(tc.catalog, `mor.dedupe_${name}`, { schema });
        await t.append([{ id: 5, v: 'five-table', n: 0 }]);
        for (const f of ['repeats', 'distinct'])
          await t.merge(
            { ndjson: join(dir, `${f}.ndjson`) },
            {
              keys: ['id'],
              orderBy: 'n',
              ...(stageToDedupeBytes !== undefined ? { stageToDedupeBytes } : {}),
              ...(keyCheckSliceRows !== undefined ? { keyCheckSliceRows } : {}),
            },
          );
        results.push(await rows(t));
      }
      const expected = [
        { id: 5, v: 'five-new', n: 10 },
        { id: 6, v: 'six-last', n: 1 },
        { id: 7, v: 'seven', n: 0 },
        { id: 8, v: 'eight', n: 0 },
      ];
      for (const r of results) expect(r).toEqual(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('NDJSON MERGE keeps -0.0 on every path: staged or key pass, partitioned or not', async () => {
    const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'floe-negzero-'));
    try {
      // id 2 twice: the later -0.0 wins over 0.0.
      writeFileSync(
        join(dir, 'rows.ndjson'),
        '{"id":1,"z":-0.0,"__floe_seq":0}\n{"id":2,"z":0.0,"__floe_seq":1}\n{"id":2,"z":-0.0,"__floe_seq":2}\n',
      );
      for (const partitioned of [false, true])
        for (const stageToDedupeBytes of [undefined, 0]) {
          const name = `mor.negzero_${partitioned ? 'p' : 'u'}_${stageToDedupeBytes ?? 'staged'}`;
          const t = await createTable(tc.catalog, name, {
            schema: [
              { name: 'id', type: 'long' },
              { name: 'z', type: 'double' },
            ],
            ...(partitioned ? { partitionBy: [{ source: 'id', transform: 'identity' }] } : {}),
          });
          await t.merge(
            { ndjson: join(dir, 'rows.ndjson') },
            { keys: ['id'], ...(stageToDedupeBytes !== undefined ? { stageToDedupeBytes } : {}) },
          );
          const got = (await t.scan().toRows()).map((r) => [Number(r.id), Object.is(r.z, -0)]).sort();
          expect(got, name).toEqual([
            [1, true],
            [2, true],
          ]);
        }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('copy-on-write over a table with delete files applies them and drops the delete files it made redundant', async () => {
    const t = await createTable(tc.catalog, 'mor.switch', { schema });
    const model = new Map<number, Row>();
    const batch = Array.from({ length: 20 }, (_, i) => ({ id: i, v: `a${i}`, n: 0 }));
    await t.append(batch);
    for (const r of batch) model.set(r.id, r);
    const up = [2, 4].map((id) => ({ id, v: `b${id}`, n: 1 }));
    await t.merge(up, { keys: ['id'] });
    for (const x of up) model.set(x.id, x);
    expect(await deleteFiles(t)).toBe(1);
    const { commitMetadata } = await import('../../src/iceberg/catalog/metastore.js');
    const m = t.metadata;
    await commitMetadata(tc.catalog, t.identifier, t.metadataLocation, {
      ...m,
      properties: { ...m.properties, 'write.merge.mode': 'copy-on-write' },
    });
    await t.refresh();
    const cow = [5, 2].map((id) => ({ id, v: `c${id}`, n: 2 }));
    const r = await t.merge(cow, { keys: ['id'] });
    for (const x of cow) model.set(x.id, x);
    expect(r.matchedRows).toBe(2n);
    expect(await rows(t)).toEqual(sorted(model));
    // The original file was rewritten (without ids 2, 4 and 5), so its delete file went with it.
    expect(await deleteFiles(t)).toBe(0);
    expect(t.currentSnapshot()!.summary['removed-position-delete-files']).toBe('1');
    expect(t.currentSnapshot()!.summary['total-position-deletes']).toBe('0');
  });

  it('snapshot-range changes: new and changed rows only; a row merged again unchanged cancels out', async () => {
    const t = await createTable(tc.catalog, 'mor.changes', { schema });
    await t.append(Array.from({ length: 30 }, (_, i) => ({ id: i, v: `a${i}`, n: 0 })));
    const from = t.currentSnapshot()!['snapshot-id'];
    await t.merge(
      [
        { id: 1, v: 'a1', n: 0 }, // unchanged
        { id: 2, v: 'changed', n: 1 },
        { id: 99, v: 'new', n: 1 },
      ],
      { keys: ['id'] },
    );
    await t.merge([{ id: 5, v: 'changed5', n: 1 }], { keys: ['id'] });
    const changes = (await readTableIncremental(t, { fromSnapshotId: from }).toRows())
      .map((r) => ({ id: Number(r.id), v: String(r.v) }))
      .sort((a, b) => a.id - b.id);
    expect(changes).toEqual([
      { id: 2, v: 'changed' },
      { id: 5, v: 'changed5' },
      { id: 99, v: 'new' },
    ]);
  });

  it('mergeQuery with skipUnchanged compares against live rows (deletes applied), not deleted versions', async () => {
    const t = await createTable(tc.catalog, 'mor.query', { schema });
    await t.append(Array.from({ length: 10 }, (_, i) => ({ id: i, v: `a${i}`, n: 0 })));
    await t.merge([{ id: 3, v: 'b3', n: 1 }], { keys: ['id'] });
    // Back to the old value: equal to the deleted version, different from the live one.
    const r = await withDuck(async () =>
      t.mergeQuery(`SELECT * FROM (VALUES (3::BIGINT, 'a3', 0), (4::BIGINT, 'a4', 0)) v(id, v, n)`, {
        keys: ['id'],
        skipUnchanged: {},
      }),
    );
    expect(r.plan.unchangedRows).toBe(1n); // id 4
    expect(r.plan.writtenRows).toBe(1n); // id 3
    expect(r.plan.matchedRows).toBe(1n);
    expect((await rows(t)).find((x) => x.id === 3)).toEqual({ id: 3, v: 'a3', n: 0 });
    expect((await rows(t)).length).toBe(10);
  });

  it('a merge planned before another writer deleted rows of its files is planned again', async () => {
    const a = await createTable(tc.catalog, 'mor.race', { schema });
    await a.append(Array.from({ length: 10 }, (_, i) => ({ id: i, v: `a${i}`, n: 0 })));
    const b = await loadTable(tc.catalog, 'mor.race');
    await b.merge([{ id: 1, v: 'b1', n: 1 }], { keys: ['id'] });
    // A's view is stale; its merge of the same key must not leave two versions of id 1.
    const r = await a.merge([{ id: 1, v: 'a1-new', n: 2 }], { keys: ['id'] });
    expect(r.replans).toBeGreaterThanOrEqual(1);
    const all = await rows(a);
    expect(all.filter((x) => x.id === 1)).toEqual([{ id: 1, v: 'a1-new', n: 2 }]);
    expect(all.length).toBe(10);
  });
});

describe('DELETE and OVERWRITE by filter', () => {
  it('deletes matching rows by position deletes, removes wholly matching files, keeps rows where the filter is NULL', async () => {
    const t = await createTable(tc.catalog, 'mor.delete', {
      schema: [
        { name: 'id', type: 'long' },
        { name: 'v', type: 'string' },
        { name: 'n', type: 'int' },
      ],
    });
    await t.append(Array.from({ length: 10 }, (_, i) => ({ id: i, v: `a${i}`, n: i % 3 === 0 ? null : i })));
    await t.append(Array.from({ length: 10 }, (_, i) => ({ id: 100 + i, v: `b${i}`, n: 1 })));
    const r = await t.deleteWhere(where.gt('n', 4));
    // Ids 5, 7, 8 (n = null for 0, 3, 6, 9 is not > 4, so those stay) from the first file only.
    expect(r.deletedRows).toBe(3n);
    expect(r.snapshot.summary['added-position-deletes']).toBe('3');
    expect(r.snapshot.summary['deleted-data-files']).toBeUndefined();
    const ids = (await t.scan().toRows()).map((x) => Number(x.id)).sort((a, b) => a - b);
    expect(ids).toEqual([0, 1, 2, 3, 4, 6, 9, ...Array.from({ length: 10 }, (_, i) => 100 + i)]);
    // Every row of the second file matches: it is removed whole, no delete file for it.
    const whole = await t.deleteWhere(where.gte('id', 100));
    expect(whole.deletedRows).toBe(10n);
    expect(whole.snapshot.summary['deleted-data-files']).toBe('1');
    expect(whole.snapshot.summary['added-position-delete-files']).toBeUndefined();
    expect((await t.scan().toRows()).length).toBe(7);
    // Nothing matches: nothing is committed.
    const before = t.currentSnapshot()!['snapshot-id'];
    expect((await t.deleteWhere(where.eq('id', 12345))).deletedRows).toBe(0n);
    expect(t.currentSnapshot()!['snapshot-id']).toBe(before);
  });

  it('overwrite by filter replaces the matching rows in one snapshot and refuses rows outside the filter', async () => {
    const t = await createTable(tc.catalog, 'mor.overwrite', { schema });
    await t.append(Array.from({ length: 20 }, (_, i) => ({ id: i, v: `a${i}`, n: 0 })));
    const r = await t.overwriteWhere(where.and(where.gte('id', 5), where.lt('id', 10)), [
      { id: 5, v: 'x5', n: 1 },
      { id: 6, v: 'x6', n: 1 },
    ]);
    expect(r.deletedRows).toBe(5n);
    expect(r.snapshot.summary.operation).toBe('overwrite');
    const got = await rows(t);
    expect(got.length).toBe(17);
    expect(got.filter((x) => x.id >= 5 && x.id < 10)).toEqual([
      { id: 5, v: 'x5', n: 1 },
      { id: 6, v: 'x6', n: 1 },
    ]);
    const snapshots = t.snapshots().length;
    await expect(t.overwriteWhere(where.lt('id', 3), [{ id: 50, v: 'outside', n: 1 }])).rejects.toThrow(
      /do not match the overwrite filter/,
    );
    expect(t.snapshots().length).toBe(snapshots);
    expect((await rows(t)).length).toBe(17);
  });
});

describe('random appends, merges, deletes and overwrites in both modes against a model', () => {
  it('after every step floe reads exactly the model', async () => {
    // A seeded generator: the sequence is the same on every run, so a failure reproduces.
    let seed = 20261130;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (const mode of ['merge-on-read', 'copy-on-write'] as const) {
      const t = await createTable(tc.catalog, `mor.random_${mode.replace(/-/g, '_')}`, {
        schema,
        properties: { 'write.merge.mode': mode, 'write.delete.mode': mode },
      });
      const model = new Map<number, Row>();
      let nextId = 0;
      for (let step = 0; step < 24; step++) {
        const op = step === 0 ? 0 : rand(5);
        if (op === 0) {
          // Append new keys only (an append never replaces).
          const batch = Array.from({ length: 5 + rand(20) }, () => {
            const id = nextId++;
            return { id, v: `s${step}-${id}`, n: step };
          });
          await t.append(batch);
          for (const r of batch) model.set(r.id, r);
        } else if (op === 3) {
          // Delete a random id range (some of it may already be gone).
          const lo = rand(Math.max(1, nextId));
          const hi = lo + rand(12);
          await t.deleteWhere(where.and(where.gte('id', lo), where.lt('id', hi)));
          for (const id of [...model.keys()]) if (id >= lo && id < hi) model.delete(id);
        } else if (op === 4) {
          // Overwrite a random id range with fresh rows inside it.
          const lo = rand(Math.max(1, nextId));
          const hi = lo + 1 + rand(10);
          const fresh = Array.from({ length: hi - lo }, (_, k) => lo + k)
            .filter(() => rand(2) === 0)
            .map((id) => ({ id, v: `o${step}-${id}`, n: step * 100 }));
          await t.overwriteWhere(where.and(where.gte('id', lo), where.lt('id', hi)), fresh);
          for (const id of [...model.keys()]) if (id >= lo && id < hi) model.delete(id);
          for (const r of fresh) model.set(r.id, r);
        } else {
          // Upsert a random mix of existing keys (some repeated in the input) and new ones.
          const input: Row[] = [];
          for (let k = rand(15) + 1; k > 0; k--) {
            const id = rand(4) === 0 ? nextId++ : rand(Math.max(1, nextId));
            input.push({ id, v: `m${step}-${id}-${k}`, n: step * 100 + k });
          }
          await t.merge(input, { keys: ['id'], orderBy: 'n' });
          // Last by `n` wins among repeated keys in one input.
          for (const r of input) {
            const cur = model.get(r.id);
            if (!cur || cur.n < step * 100 || r.n > cur.n) model.set(r.id, r);
          }
        }
        expect(await rows(t), `${mode}, step ${step}`).toEqual(sorted(model));
      }
    }
  });
});
