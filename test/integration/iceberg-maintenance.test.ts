/**
 * Table maintenance on a real SQLite catalog and local warehouse: compaction (bin-pack per
 * partition, sort order, position deletes applied and dropped), manifest rewrite, snapshot
 * expiry (by age and count, refs protected), orphan removal (safety age, write journals, nested
 * tables) and old metadata files. After each, every remaining snapshot still reads what it read
 * before, and nothing it reaches is deleted.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFloeError } from '../../src/errors.js';
import { commitMetadata } from '../../src/iceberg/catalog/metastore.js';
import { createTable, loadTable, type Table, uriToPath, where } from '../../src/iceberg/index.js';
import { JournalingFileIO } from '../../src/iceberg/io/journal.js';
import { LocalFileIO } from '../../src/iceberg/io/local.js';
import { compactTable, planCompaction } from '../../src/iceberg/maintenance/compact.js';
import { expireSnapshots } from '../../src/iceberg/maintenance/expire-snapshots.js';
import { maintainTable } from '../../src/iceberg/maintenance/maintain.js';
import { removeOrphanFiles } from '../../src/iceberg/maintenance/remove-orphans.js';
import { rewriteManifests } from '../../src/iceberg/maintenance/rewrite-manifests.js';
import type { TableMetadata } from '../../src/iceberg/spec/metadata.js';
import { readManifestList } from '../../src/iceberg/write/manifest-io.js';
import { ALL_TYPES, allTypesRow, TIME_TYPES, timeRow } from '../support/all-types.js';
import { commitPositionDeletes, liveDataFiles, positionsOf } from '../support/position-deletes.js';
import { canonicalSet, type TempCatalog, tempCatalog } from '../support/temp-catalog.js';

const run = promisify(execFile);
let tc: TempCatalog;
beforeAll(async () => {
  tc = tempCatalog();
  await tc.catalog.createNamespace(['mt']);
});
afterAll(async () => tc.cleanup());

const schema = [
  { name: 'id', type: 'long' },
  { name: 'cat', type: 'string' },
  { name: 'v', type: 'double' },
];
const rows = (from: number, n: number, cat?: string) =>
  Array.from({ length: n }, (_, i) => ({
    id: BigInt(from + i),
    cat: cat ?? ['a', 'b'][(from + i) % 2]!,
    v: (from + i) / 4,
  }));

const ids = async (t: Table, snapshotId?: bigint) =>
  (await t.scan(snapshotId === undefined ? {} : { snapshotId }).toRows())
    .map((r) => Number(r.id))
    .sort((a, b) => a - b);

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** Every snapshot still in the metadata, read: id → sorted ids. */
async function readAll(t: Table): Promise<Map<bigint, number[]>> {
  const out = new Map<bigint, number[]>();
  for (const s of t.snapshots()) out.set(s['snapshot-id'], await ids(t, s['snapshot-id']));
  return out;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('compaction', () => {
  it('bin-packs small files per partition into one replace snapshot; same rows, summary counts right', async () => {
    const t = await createTable(tc.catalog, 'mt.binpack', {
      schema,
      partitionBy: [{ source: 'cat', transform: 'identity' }],
    });
    for (let i = 0; i < 6; i++) await t.append(rows(i * 10, 10));
    const before = await ids(t);
    const filesBefore = await liveDataFiles(t);
    expect(filesBefore).toHaveLength(12);
    const plan = await planCompaction(t, { minInputFiles: 2 });
    expect(plan.groups).toHaveLength(2);
    const r = await compactTable(t, { minInputFiles: 2 });
    expect(r.addedFiles).toBe(2);
    const s = t.currentSnapshot()!;
    expect(s.summary.operation).toBe('replace');
    expect(s.summary['deleted-data-files']).toBe('12');
    expect(s.summary['added-data-files']).toBe('2');
    expect(s.summary['added-records']).toBe('60');
    expect(s.summary['deleted-records']).toBe('60');
    expect(s.summary['total-records']).toBe('60');
    expect(s.summary['total-data-files']).toBe('2');
    expect(await ids(t)).toEqual(before);
    const after = await liveDataFiles(t);
    expect(after.map((f) => f.partition.cat).sort()).toEqual(['a', 'b']);
    // Each output file holds only its partition's rows.
    for (const f of after) {
      const got = await t.scan({ filter: where.eq('cat', f.partition.cat as string) }).toRows();
      expect(got.every((x) => x.cat === f.partition.cat)).toBe(true);
    }
    // The snapshot before compaction still reads the same (time travel).
    const previous = t.snapshots().at(-2)!;
    expect(await ids(t, previous['snapshot-id'])).toEqual(before);
  });

  it('an append-only incremental scan over a compaction refuses instead of missing rows; changes still read', async () => {
    const t = await createTable(tc.catalog, 'mt.incremental', { schema });
    await t.append(rows(0, 5));
    const from = t.currentSnapshot()!['snapshot-id'];
    await t.append(rows(5, 5));
    await t.append(rows(10, 5));
    expect((await t.incremental(from).toRows()).map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual(
      range(5, 15),
    );
    await compactTable(t, { minInputFiles: 2 });
    await expect(t.incremental(from).toRows()).rejects.toThrow(/compacted data files in the range/);
    const { readTableIncremental } = await import('../../src/iceberg/index.js');
    const changes = await readTableIncremental(t, { fromSnapshotId: from }).toRows();
    expect(changes.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual(range(5, 15));
  });

  it('keeps every value of every type exactly (nested, decimals, timestamps, unicode), partitioned by bucket', async () => {
    const t = await createTable(tc.catalog, 'mt.all_types', {
      schema: ALL_TYPES,
      partitionBy: [{ source: 'id', transform: 'bucket[2]' }],
    });
    for (let a = 0; a < 4; a++) await t.append(Array.from({ length: 12 }, (_, i) => allTypesRow(a * 12 + i)));
    const before = canonicalSet(await t.scan().toRows());
    const r = await compactTable(t, { minInputFiles: 2 });
    expect(r.addedFiles).toBe(2);
    expect(canonicalSet(await t.scan().toRows())).toEqual(before);
    // Column statistics of the new files still prune.
    const one = await t.scan({ filter: where.eq('id', 7) }).plan();
    expect(one.tasks).toHaveLength(1);
    // Unpartitioned, with a time column too.
    const u = await createTable(tc.catalog, 'mt.all_types_time', {
      schema: [...ALL_TYPES, ...TIME_TYPES.filter((f) => f.name !== 'id')],
    });
    for (let a = 0; a < 3; a++)
      await u.append(
        Array.from({ length: 5 }, (_, i) => ({ ...timeRow(a * 5 + i), ...allTypesRow(a * 5 + i) })),
      );
    const all = canonicalSet(await u.scan().toRows());
    expect((await compactTable(u, { minInputFiles: 2 })).addedFiles).toBe(1);
    expect(canonicalSet(await u.scan().toRows())).toEqual(all);
  });

  it('splits a file far larger than the target into files of about the target size', async () => {
    const t = await createTable(tc.catalog, 'mt.split', { schema });
    await t.append(rows(0, 3000));
    const [big] = await liveDataFiles(t);
    const target = Math.floor(Number(big!.file_size_in_bytes) / 3);
    const r = await compactTable(t, { targetFileSizeBytes: target });
    expect(r.plan.rewrittenFiles).toBe(1);
    expect(r.addedFiles).toBe(3);
    const after = await liveDataFiles(t);
    expect(after.map((f) => Number(f.record_count))).toEqual([1000, 1000, 1000]);
    expect(await ids(t)).toEqual(range(0, 3000));
  });

  it('leaves a partition with too few small files alone, and does nothing when nothing qualifies', async () => {
    const t = await createTable(tc.catalog, 'mt.few', { schema });
    await t.append(rows(0, 5));
    await t.append(rows(5, 5));
    const r = await compactTable(t); // default min-input-files 5
    expect(r.plan.groups).toHaveLength(0);
    expect(r.snapshotId).toBeUndefined();
    expect(t.snapshots()).toHaveLength(2);
  });

  it("writes rows in the table's sort order", async () => {
    const t = await createTable(tc.catalog, 'mt.sorted', { schema });
    for (const start of [40, 0, 20, 60, 10]) await t.append(rows(start, 10).reverse());
    const m = t.metadata;
    const idField = t.schema().fields.find((f) => f.name === 'id')!;
    const sorted: TableMetadata = {
      ...m,
      'sort-orders': [
        ...m['sort-orders'],
        {
          'order-id': 1,
          fields: [
            { transform: 'identity', 'source-id': idField.id, direction: 'desc', 'null-order': 'nulls-last' },
          ],
        },
      ],
      'default-sort-order-id': 1,
    };
    await commitMetadata(tc.catalog, t.identifier, t.metadataLocation, sorted);
    await t.refresh();
    await compactTable(t, { minInputFiles: 2 });
    const [file] = await liveDataFiles(t);
    expect(file!.sort_order_id).toBe(1);
    const inFileOrder = (await t.scan().toRows()).map((r) => Number(r.id));
    expect(inFileOrder).toEqual([...range(0, 30), ...range(40, 50), ...range(60, 70)].sort((a, b) => b - a));
  });

  it('applies position deletes and drops the delete files that only applied to rewritten files', async () => {
    const t = await createTable(tc.catalog, 'mt.deletes', {
      schema,
      partitionBy: [{ source: 'cat', transform: 'identity' }],
    });
    await t.append(rows(0, 10, 'a'));
    await t.append(rows(10, 10, 'a'));
    await t.append(rows(20, 10, 'b'));
    const files = await liveDataFiles(t);
    const fileOf = async (id: number) => {
      for (const f of files) if ((await positionsOf(t, f, 'id', [id])).length) return f;
      throw new Error(`no file holds ${id}`);
    };
    const a1 = await fileOf(1);
    const a2 = await fileOf(12);
    const b1 = await fileOf(25);
    // One delete file scoped to one file of partition a; one (partition b) naming a file in b.
    const d1 = await commitPositionDeletes(t, [
      { file: a1, positions: await positionsOf(t, a1, 'id', [1, 2]) },
    ]);
    const d2 = await commitPositionDeletes(t, [
      { file: b1, positions: await positionsOf(t, b1, 'id', [25]) },
    ]);
    await t.append(rows(30, 10, 'b'));
    const expected = range(0, 40).filter((i) => ![1, 2, 25].includes(i));
    expect(await ids(t)).toEqual(expected);

    // Only partition a: the delete file of b stays (it applies to a file not rewritten).
    const onlyA = await compactTable(t, { minInputFiles: 2, filter: where.eq('cat', 'a') });
    expect(onlyA.plan.removedDeleteFiles.map((d) => d.file_path)).toEqual([d1.file_path]);
    let s = t.currentSnapshot()!;
    expect(s.summary.operation).toBe('replace');
    expect(s.summary['removed-delete-files']).toBe('1');
    expect(s.summary['removed-position-deletes']).toBe('2');
    expect(s.summary['deleted-records']).toBe('20');
    expect(s.summary['added-records']).toBe('18');
    expect(s.summary['total-delete-files']).toBe('1');
    expect(await ids(t)).toEqual(expected);
    const live = (await t.scan().plan()).tasks;
    expect(live.some((x) => x.file.file_path === a2.file_path)).toBe(false);
    expect(live.flatMap((x) => x.deletes.map((d) => d.file_path))).toContain(d2.file_path);

    // Everything: the b delete is applied and dropped too; no delete file is left.
    await compactTable(t, { minInputFiles: 2 });
    s = t.currentSnapshot()!;
    expect(s.summary['total-delete-files']).toBe('0');
    expect(s.summary['total-records']).toBe(String(expected.length));
    expect(await ids(t)).toEqual(expected);
    expect((await t.scan().plan()).tasks.every((x) => x.deletes.length === 0)).toBe(true);
  });

  it('keeps a delete file that also applies to a data file it does not rewrite', async () => {
    const t = await createTable(tc.catalog, 'mt.shared_delete', {
      schema,
      partitionBy: [{ source: 'cat', transform: 'identity' }],
    });
    await t.append(rows(0, 10, 'a'));
    await t.append(rows(10, 10, 'a'));
    await t.append(rows(20, 10, 'b'));
    const files = await liveDataFiles(t);
    const a = files.find((f) => f.partition.cat === 'a')!;
    const b = files.find((f) => f.partition.cat === 'b')!;
    // One delete file naming rows in a file of a AND in the file of b (not file-scoped).
    const aIds = (await t.scan({ filter: where.eq('cat', 'a') }).toRows()).map((r) => Number(r.id));
    const inA: number[] = [];
    for (const id of aIds) if ((await positionsOf(t, a, 'id', [id])).length) inA.push(id);
    const d = await commitPositionDeletes(t, [
      { file: a, positions: await positionsOf(t, a, 'id', [inA[0]!]) },
      { file: b, positions: await positionsOf(t, b, 'id', [21]) },
    ]);
    const expected = range(0, 30).filter((i) => i !== inA[0] && i !== 21);
    expect(await ids(t)).toEqual(expected);
    const r = await compactTable(t, { minInputFiles: 2, filter: where.eq('cat', 'a') });
    expect(r.plan.keptDeleteFiles).toBe(1);
    expect(r.plan.removedDeleteFiles).toHaveLength(0);
    expect(await ids(t)).toEqual(expected);
    const tasks = (await t.scan().plan()).tasks;
    expect(tasks.find((x) => x.file.file_path === b.file_path)!.deletes.map((x) => x.file_path)).toEqual([
      d.file_path,
    ]);
  });
});

describe('compaction against concurrent writers', () => {
  it('an append committed while it runs survives (no replan needed)', async () => {
    const t = await createTable(tc.catalog, 'mt.race_append', { schema });
    for (let i = 0; i < 4; i++) await t.append(rows(i * 10, 10));
    const other = await loadTable(tc.catalog, 'mt.race_append');
    const r = await compactTable(t, {
      minInputFiles: 2,
      beforeCommit: async () => {
        await other.append(rows(100, 5));
      },
    });
    expect(r.replans).toBe(0);
    expect(await ids(t)).toEqual([...range(0, 40), ...range(100, 105)]);
    const s = t.currentSnapshot()!;
    expect(s.summary.operation).toBe('replace');
    expect(s['parent-snapshot-id']).toBe(other.currentSnapshot()!['snapshot-id']);
  });

  it('a position delete committed against a file it rewrites: planned again, the deleted row stays deleted', async () => {
    const t = await createTable(tc.catalog, 'mt.race_delete', { schema });
    for (let i = 0; i < 3; i++) await t.append(rows(i * 10, 10));
    const other = await loadTable(tc.catalog, 'mt.race_delete');
    let raced = false;
    const r = await compactTable(t, {
      minInputFiles: 2,
      beforeCommit: async () => {
        if (raced) return;
        raced = true;
        await other.refresh();
        const files = await liveDataFiles(other);
        let target = files[0]!;
        for (const x of files) if ((await positionsOf(other, x, 'id', [15])).length) target = x;
        await commitPositionDeletes(other, [
          { file: target, positions: await positionsOf(other, target, 'id', [15]) },
        ]);
      },
    });
    expect(r.replans).toBe(1);
    expect(await ids(t)).toEqual(range(0, 30).filter((i) => i !== 15));
    expect(t.currentSnapshot()!.summary['total-delete-files']).toBe('0');
  });

  it('with no replans left, fails with a clear commit-conflict and changes nothing', async () => {
    const t = await createTable(tc.catalog, 'mt.race_fail', { schema });
    for (let i = 0; i < 3; i++) await t.append(rows(i * 10, 10));
    const other = await loadTable(tc.catalog, 'mt.race_fail');
    const dataDir = uriToPath(`${t.metadata.location}/data`);
    let err: unknown;
    let before = 0;
    try {
      await compactTable(t, {
        minInputFiles: 2,
        maxReplans: 0,
        beforeCommit: async () => {
          const files = await liveDataFiles(other);
          const f = files[0]!;
          await commitPositionDeletes(other, [{ file: f, positions: [0] }]);
          before = filesUnder(dataDir).length;
        },
      });
    } catch (e) {
      err = e;
    }
    expect(isFloeError(err, 'commit-conflict')).toBe(true);
    expect((err as Error).message).toMatch(/compaction of mt\.race_fail did not commit.*deleted rows/);
    expect((err as Error).message).toMatch(/floe table maintain mt\.race_fail/);
    await t.refresh();
    expect(t.currentSnapshot()!.summary.operation).toBe('delete');
    expect(await ids(t)).toHaveLength(29);
    // The files the failed compaction wrote are gone again.
    expect(filesUnder(dataDir).length).toBe(before - 1);
  });

  it('a copy-on-write MERGE that replaced a file it rewrites: planned again, no update lost', async () => {
    const t = await createTable(tc.catalog, 'mt.race_merge', { schema });
    for (let i = 0; i < 3; i++) await t.append(rows(i * 10, 10));
    const other = await loadTable(tc.catalog, 'mt.race_merge');
    let raced = false;
    const r = await compactTable(t, {
      minInputFiles: 2,
      beforeCommit: async () => {
        if (raced) return;
        raced = true;
        await other.merge([{ id: 5n, cat: 'merged', v: 0.5 }], { keys: ['id'] });
      },
    });
    expect(r.replans).toBe(1);
    const got = await t.scan().toRows();
    expect(got).toHaveLength(30);
    expect(got.find((x) => Number(x.id) === 5)!.cat).toBe('merged');
  });
});

describe('compaction against another process appending', () => {
  it('compacting over and over while a process appends row by row: every append lands, once', async () => {
    const t = await createTable(tc.catalog, 'mt.race_process', {
      schema: [
        { name: 'id', type: 'long' },
        { name: 'name', type: 'string' },
      ],
    });
    for (let i = 0; i < 3; i++) await t.append([{ id: BigInt(10_000 + i), name: 'seed' }]);
    const worker = new URL('../support/append-worker.ts', import.meta.url).pathname;
    const n = 20;
    let done = false;
    const child = run(
      process.execPath,
      ['--import', 'tsx', worker, tc.dbPath, tc.warehouse, 'mt.race_process', '0', String(n)],
      { timeout: 180_000 },
    ).finally(() => {
      done = true;
    });
    let compactions = 0;
    while (!done) {
      const r = await compactTable(t, { minInputFiles: 2 });
      if (r.snapshotId !== undefined) compactions++;
    }
    await child;
    await compactTable(t, { minInputFiles: 2 });
    const got = (await t.scan().toRows()).map((r) => Number(r.id)).sort((a, b) => a - b);
    expect(got).toEqual([...range(0, n), 10_000, 10_001, 10_002]);
    expect(t.currentSnapshot()!.summary['total-records']).toBe(String(n + 3));
    expect(t.currentSnapshot()!.summary['total-data-files']).toBe('1');
    console.log(`compactions while appending: ${compactions}`);
  });
});

describe('rewrite manifests', () => {
  it('packs many small manifests into one, dropping DELETED history; every reader reads the same', async () => {
    const t = await createTable(tc.catalog, 'mt.manifests', {
      schema,
      // Copy-on-write: the merge leaves a DELETED entry (merge-on-read would add a delete manifest).
      properties: { 'commit.manifest-merge.enabled': 'false', 'write.merge.mode': 'copy-on-write' },
    });
    for (let i = 0; i < 6; i++) await t.append(rows(i * 10, 10));
    await t.merge([{ id: 3n, cat: 'x', v: 1 }], { keys: ['id'] });
    const before = (await readManifestList(tc.catalog.io, t.currentSnapshot()!['manifest-list'])).length;
    expect(before).toBeGreaterThan(5);
    const expected = await t.scan().toRows();
    const r = await rewriteManifests(t);
    expect(r.replaced).toBe(before);
    expect(r.created).toBe(1);
    const after = await readManifestList(tc.catalog.io, t.currentSnapshot()!['manifest-list']);
    expect(after).toHaveLength(1);
    expect(after[0]!.deleted_files_count).toBe(0);
    expect(canonicalSet(await t.scan().toRows())).toEqual(canonicalSet(expected));
    const s = t.currentSnapshot()!;
    expect(s.summary.operation).toBe('replace');
    expect(s.summary['total-records']).toBe('60');
    // A second rewrite has nothing to gain.
    expect((await rewriteManifests(t)).replaced).toBe(0);
  });
});

describe('expire snapshots and remove orphans', () => {
  it('keeps the newest N and refs, deletes only what expired snapshots alone reached; every remaining snapshot reads', async () => {
    const t = await createTable(tc.catalog, 'mt.expire', { schema });
    for (let i = 0; i < 5; i++) await t.append(rows(i * 10, 10));
    const tagged = t.snapshots()[1]!;
    // A tag on the second snapshot protects it (and what it reaches).
    await commitMetadata(tc.catalog, t.identifier, t.metadataLocation, {
      ...t.metadata,
      refs: { ...t.metadata.refs, keep: { 'snapshot-id': tagged['snapshot-id'], type: 'tag' } },
    });
    await t.refresh();
    await compactTable(t, { minInputFiles: 2 }); // the old small files now only live in old snapshots
    await t.append(rows(50, 10));
    const all = await readAll(t);
    const dry = await expireSnapshots(t, { olderThanMs: Date.now() + 1, retainLast: 2, dryRun: true });
    expect(dry.files.length).toBeGreaterThan(0);
    for (const f of dry.files) expect(existsSync(uriToPath(f.uri))).toBe(true);
    expect(t.snapshots()).toHaveLength(7);

    const r = await expireSnapshots(t, { olderThanMs: Date.now() + 1, retainLast: 2 });
    expect(r.expiredSnapshots).toHaveLength(4);
    expect(r.files.map((f) => f.uri).sort()).toEqual(dry.files.map((f) => f.uri).sort());
    const kept = t.snapshots().map((s) => s['snapshot-id']);
    expect(kept).toHaveLength(3);
    expect(kept).toContain(tagged['snapshot-id']);
    expect(t.metadata.refs.keep?.['snapshot-id']).toBe(tagged['snapshot-id']);
    expect(r.files.filter((f) => f.kind === 'data')).toHaveLength(3);
    for (const f of r.files) expect(existsSync(uriToPath(f.uri))).toBe(false);
    // Data files the tagged snapshot reads were not deleted, although newer snapshots dropped them.
    for (const [id, want] of all) if (kept.includes(id)) expect(await ids(t, id)).toEqual(want);
    expect(t.metadata['snapshot-log'].every((e) => kept.includes(e['snapshot-id']))).toBe(true);

    // Orphans after expiry: nothing reachable is removed; every remaining snapshot still reads.
    const o = await removeOrphanFiles(t, { olderThanMs: Date.now() + 1 });
    for (const [id, want] of all) if (kept.includes(id)) expect(await ids(t, id)).toEqual(want);
    expect(
      o.orphans.every(
        (f) =>
          !f.uri.endsWith('.metadata.json') ||
          !t.metadata['metadata-log'].some((e) => e['metadata-file'] === f.uri),
      ),
    ).toBe(true);
  });

  it('by age: only snapshots older than the cutoff go, and never the current one', async () => {
    const t = await createTable(tc.catalog, 'mt.expire_age', { schema });
    await t.append(rows(0, 5));
    await t.append(rows(5, 5));
    const cutoff = t.currentSnapshot()!['timestamp-ms'];
    await new Promise((r) => setTimeout(r, 5));
    await t.append(rows(10, 5));
    const r = await expireSnapshots(t, { olderThanMs: cutoff, retainLast: 1 });
    expect(r.expiredSnapshots).toHaveLength(1);
    expect(t.snapshots()).toHaveLength(2);
    const everything = await expireSnapshots(t, { olderThanMs: Date.now() + 1000, retainLast: 1 });
    expect(everything.expiredSnapshots).toHaveLength(1);
    expect(t.snapshots()).toHaveLength(1);
    expect(await ids(t)).toEqual(range(0, 15));
    // Nothing expires under the defaults (5 days) for fresh snapshots.
    await t.append(rows(15, 5));
    expect((await expireSnapshots(t)).expiredSnapshots).toHaveLength(0);
  });

  it('removes old unreferenced files only: young ones and journaled in-flight writes survive', async () => {
    const journal = join(tc.dir, 'inflight', 'written.log');
    const t = await createTable(tc.catalog, 'mt.orphans', { schema });
    await t.append(rows(0, 10));
    const loc = uriToPath(t.metadata.location);
    const old = join(loc, 'data', 'leftover-old.parquet');
    const young = join(loc, 'data', 'leftover-young.parquet');
    writeFileSync(old, 'x');
    writeFileSync(young, 'y');
    const past = new Date(Date.now() - 4 * 24 * 3600 * 1000);
    utimesSync(old, past, past);
    // An in-flight write: its data file is journaled and on disk, not committed yet (and old).
    const inflight = await loadTable(tc.catalog, 'mt.orphans');
    const jio = new JournalingFileIO(new LocalFileIO(), journal);
    const inflightUri = `${inflight.metadata.location}/data/inflight.parquet`;
    await jio.write(inflightUri, 'z');
    utimesSync(uriToPath(inflightUri), past, past);
    const protect = readFileSync(journal, 'utf8').split('\n').filter(Boolean);
    // Every committed file is old too: age alone must not remove any of them.
    for (const f of filesUnder(loc)) if (f !== young) utimesSync(f, past, past);

    const dry = await removeOrphanFiles(t, { protect, dryRun: true });
    expect(dry.orphans.map((f) => uriToPath(f.uri))).toEqual([old]);
    expect(existsSync(old)).toBe(true);
    const r = await removeOrphanFiles(t, { protect });
    expect(r.orphans.map((f) => uriToPath(f.uri))).toEqual([old]);
    expect(r.tooYoung).toBe(1);
    expect(r.journaled).toBe(1);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(young)).toBe(true);
    expect(existsSync(uriToPath(inflightUri))).toBe(true);
    expect(await ids(t)).toEqual(range(0, 10));
    // Without the journal and with no safety age, the in-flight file would have been taken.
    const unsafe = await removeOrphanFiles(t, { olderThanMs: Date.now() + 1000, dryRun: true });
    expect(unsafe.orphans.map((f) => uriToPath(f.uri)).sort()).toEqual(
      [uriToPath(inflightUri), young].sort(),
    );
  });

  it("never removes another table's files when that table lives inside this one's folder", async () => {
    const outer = await createTable(tc.catalog, 'mt.outer', { schema });
    await outer.append(rows(0, 3));
    await tc.catalog.createNamespace(['mt', 'outer']);
    const inner = await createTable(tc.catalog, 'mt.outer.inner', { schema });
    await inner.append(rows(0, 3));
    expect(uriToPath(inner.metadata.location).startsWith(`${uriToPath(outer.metadata.location)}/`)).toBe(
      true,
    );
    const r = await removeOrphanFiles(outer, { olderThanMs: Date.now() + 1000 });
    expect(r.orphans).toEqual([]);
    expect(await ids(inner)).toEqual([0, 1, 2]);
  });
});

describe('old metadata files', () => {
  it('with write.metadata.delete-after-commit.enabled, keeps previous-versions-max of them', async () => {
    const t = await createTable(tc.catalog, 'mt.metadata_files', {
      schema,
      properties: {
        'write.metadata.delete-after-commit.enabled': 'true',
        'write.metadata.previous-versions-max': '2',
      },
    });
    for (let i = 0; i < 6; i++) await t.append(rows(i, 1));
    const dir = join(uriToPath(t.metadata.location), 'metadata');
    const files = readdirSync(dir).filter((f) => f.endsWith('.metadata.json'));
    expect(files).toHaveLength(3);
    expect(t.metadata['metadata-log']).toHaveLength(2);
    for (const e of t.metadata['metadata-log']) expect(existsSync(uriToPath(e['metadata-file']))).toBe(true);
    expect(await ids(t)).toEqual(range(0, 6));
  });

  it('without it (the default), every metadata file stays', async () => {
    const t = await createTable(tc.catalog, 'mt.metadata_kept', {
      schema,
      properties: { 'write.metadata.previous-versions-max': '2' },
    });
    for (let i = 0; i < 4; i++) await t.append(rows(i, 1));
    const dir = join(uriToPath(t.metadata.location), 'metadata');
    expect(readdirSync(dir).filter((f) => f.endsWith('.metadata.json'))).toHaveLength(5);
  });
});

describe('maintainTable', () => {
  it('dry run changes nothing; the real run compacts, expires and removes orphans, and the table reads the same', async () => {
    const t = await createTable(tc.catalog, 'mt.maintain', { schema });
    for (let i = 0; i < 6; i++) await t.append(rows(i * 10, 10));
    const files = await liveDataFiles(t);
    await commitPositionDeletes(t, [{ file: files[0]!, positions: [0] }]);
    const expected = await ids(t);
    const loc = uriToPath(t.metadata.location);
    const snapshotCount = t.snapshots().length;
    const onDisk = filesUnder(loc).sort();
    const opts = {
      compact: { minInputFiles: 2 },
      expire: { olderThanMs: Date.now() + 1000, retainLast: 1 },
      orphans: { olderThanMs: Date.now() + 1000 },
    };
    const dry = await maintainTable(t, { ...opts, dryRun: true });
    expect(dry.compact!.plan.rewrittenFiles).toBe(6);
    expect(dry.compact!.plan.removedDeleteFiles).toHaveLength(1);
    expect(dry.expire!.expiredSnapshots).toHaveLength(snapshotCount - 1);
    expect(filesUnder(loc).sort()).toEqual(onDisk);
    expect(t.snapshots()).toHaveLength(snapshotCount);

    const steps: string[] = [];
    const r = await maintainTable(t, { ...opts, onStep: (s) => steps.push(s) });
    expect(steps).toEqual(['compact', 'rewrite-manifests', 'expire-snapshots', 'remove-orphans']);
    expect(r.compact!.addedFiles).toBe(1);
    expect(t.snapshots()).toHaveLength(1);
    expect(await ids(t)).toEqual(expected);
    // What is left on disk: the one data file, its manifests and list, and metadata files.
    const data = filesUnder(join(loc, 'data'));
    expect(data).toHaveLength(1);
  });
});
