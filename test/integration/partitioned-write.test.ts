/**
 * The bounded partitioned write (partitioned-write.ts) and compaction through the same writers,
 * on real tables: partitions large enough to be cut into several key ranges and files, a thousand
 * small partitions, a sorted table compacted, and a write failing after some files were published.
 * Every check reads the files as DuckDB reads them: rows in file order, each file's key range,
 * the partition its rows compute to against the one the manifest records.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlString, withDuck } from '../../src/duck/session.js';
import { createTable, type Table, where } from '../../src/iceberg/index.js';
import type { FileIO } from '../../src/iceberg/io/file-io.js';
import { compactTable } from '../../src/iceberg/maintenance/compact.js';
import type { DataFile } from '../../src/iceberg/spec/manifest.js';
import { applyTransform } from '../../src/iceberg/spec/transforms.js';
import { writeDataFiles } from '../../src/iceberg/write/data-writer.js';
import { splitByColumn } from '../../src/iceberg/write/split-by-column.js';
import { type TempCatalog, tempCatalog } from '../support/temp-catalog.js';

let tc: TempCatalog;
beforeAll(async () => {
  tc = tempCatalog();
  await tc.catalog.createNamespace(['pw']);
});
afterAll(async () => tc.cleanup());

const schema = [
  { name: 'id', type: 'long' },
  { name: 'ts', type: 'timestamptz' },
  { name: 'grp', type: 'string' },
  { name: 'payload', type: 'string' },
];

/**
 * N rows, ids 0 … N-1 in a scrambled order, ts spread over `days` days from 2024-01-01, payload
 * hex noise (so files have a size), grp one of three.
 */
function rowsSql(n: number, days: number, from = 0): string {
  return `SELECT (${from} + (i * 7919) % ${n})::BIGINT AS id,
                 TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(((i * 104729) % (${days} * 86400))::BIGINT) AS ts,
                 ['a', 'b', 'c'][1 + (i % 3)::INTEGER] AS grp,
                 md5(i::VARCHAR) || md5((i + ${from} + 1)::VARCHAR) AS payload
          FROM range(${n}) t(i)`;
}

async function liveFiles(t: Table): Promise<DataFile[]> {
  return (await t.scan().plan()).tasks.map((x) => x.file);
}

const localPath = (uri: string) => (uri.startsWith('file://') ? new URL(uri).pathname : uri);

interface Facts {
  rows: number;
  lo: bigint;
  hi: bigint;
  /** Rows whose id is not above the previous row's, in file order. */
  unsorted: number;
}

async function facts(f: DataFile): Promise<Facts> {
  const [r] = await withDuck((d) =>
    d.json(
      `SELECT count(*)::INT AS n, min(id)::VARCHAR AS lo, max(id)::VARCHAR AS hi,
              count(*) FILTER (WHERE prev IS NOT NULL AND id <= prev)::INT AS bad
       FROM (SELECT id, lag(id) OVER (ORDER BY file_row_number) AS prev
             FROM read_parquet(${sqlString(localPath(f.file_path))}, file_row_number = true))`,
    ),
  );
  return {
    rows: Number(r!.n),
    lo: BigInt(String(r!.lo)),
    hi: BigInt(String(r!.hi)),
    unsorted: Number(r!.bad),
  };
}

/** Files grouped by their partition tuple as the manifest records it. */
function byPartition(files: readonly DataFile[]): Map<string, DataFile[]> {
  const out = new Map<string, DataFile[]>();
  for (const f of files) {
    const k = JSON.stringify(f.partition, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    out.set(k, [...(out.get(k) ?? []), f]);
  }
  return out;
}

/**
 * Each file sorted by id; the files of one partition, ordered by their lowest id, each start
 * above the previous one's highest (disjoint key ranges). Returns the files' facts.
 */
async function checkSortedDisjoint(files: readonly DataFile[]): Promise<Map<DataFile, Facts>> {
  const all = new Map<DataFile, Facts>();
  for (const f of files) all.set(f, await facts(f));
  for (const [part, fs] of byPartition(files)) {
    const spans = fs.map((f) => all.get(f)!).sort((a, b) => (a.lo < b.lo ? -1 : 1));
    for (const s of spans) expect(s.unsorted, part).toBe(0);
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.lo > spans[i - 1]!.hi, part).toBe(true);
  }
  return all;
}

/** Rows in the files and in `sql` differ by nothing, as multisets of whole rows. */
async function expectSameRows(files: readonly DataFile[], sql: string): Promise<void> {
  const list = `[${files.map((f) => sqlString(localPath(f.file_path))).join(', ')}]`;
  const [r] = await withDuck((d) =>
    d.json(
      `SELECT (SELECT count(*) FROM (SELECT id, ts, grp, payload FROM read_parquet(${list}) EXCEPT ALL SELECT id, ts, grp, payload FROM (${sql})))::INT AS extra,
              (SELECT count(*) FROM (SELECT id, ts, grp, payload FROM (${sql}) EXCEPT ALL SELECT id, ts, grp, payload FROM read_parquet(${list})))::INT AS missing,
              (SELECT count(*) FROM read_parquet(${list}))::INT AS n`,
    ),
  );
  expect(r).toEqual({ extra: 0, missing: 0, n: expect.any(Number) });
}

describe('partitioned writes', () => {
  it('bucket(4, id), sorted by id: every partition several ranges and files, each sorted, disjoint, rows exact, partitions right', async () => {
    const n = 60_000;
    const t = await createTable(tc.catalog, 'pw.buckets', {
      schema,
      // ~1 MB of rows per partition against 256 KB files: 4+ files, each several key ranges.
      properties: { 'write.target-file-size-bytes': String(256 * 1024) },
      partitionBy: [{ source: 'id', transform: 'bucket[4]' }],
      sortBy: [{ source: 'id' }],
    });
    await t.appendQuery(rowsSql(n, 40));
    const files = await liveFiles(t);
    const parts = byPartition(files);
    expect(parts.size).toBe(4);
    for (const fs of parts.values()) expect(fs.length).toBeGreaterThanOrEqual(3);
    const all = await checkSortedDisjoint(files);
    for (const f of files) {
      expect(f.sort_order_id).toBe(1);
      expect(f.file_path).toContain(`/id_bucket=${String(f.partition.id_bucket)}/`);
      expect(BigInt(all.get(f)!.rows)).toBe(f.record_count);
      // The manifest's partition is the one every row of the file computes to.
      const ids = await withDuck((d) =>
        d.rows(`SELECT DISTINCT id FROM read_parquet(${sqlString(localPath(f.file_path))})`),
      );
      const buckets = new Set(ids.map((r) => applyTransform('bucket[4]', 'long', r.id as bigint)));
      expect([...buckets]).toEqual([f.partition.id_bucket]);
    }
    await expectSameRows(files, rowsSql(n, 40));
    expect(files.reduce((a, f) => a + f.record_count, 0n)).toBe(BigInt(n));
  });

  it('a thousand small day partitions (NDJSON input, the L1 path): one sorted file each, rows in their day', async () => {
    const n = 20_000;
    const days = 1000;
    const t = await createTable(tc.catalog, 'pw.days', {
      schema,
      partitionBy: [{ source: 'ts', transform: 'day' }],
      sortBy: [{ source: 'id' }],
    });
    const ndjson = join(tc.dir, 'days.ndjson');
    await withDuck((d) =>
      d.run(
        `COPY (SELECT id, strftime(ts, '%Y-%m-%dT%H:%M:%S.%f+00:00') AS ts, grp, payload FROM (${rowsSql(n, days)})) TO ${sqlString(ndjson)} (FORMAT json)`,
      ),
    );
    const t0 = performance.now();
    await t.append({ ndjson }, { expectedRows: n });
    console.log(
      `${days} day partitions, ${n} rows: written in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const files = await liveFiles(t);
    expect(byPartition(files).size).toBe(days);
    expect(files.length).toBe(days);
    await checkSortedDisjoint(files);
    const list = `[${files.map((f) => `(${sqlString(localPath(f.file_path))}, ${Number(f.partition.ts_day)})`).join(', ')}]`;
    const [r] = await withDuck((d) =>
      d.json(
        `SELECT count(*) FILTER (WHERE datediff('day', DATE '1970-01-01', ts::DATE) <> p.day)::INT AS wrong, count(*)::INT AS n
         FROM read_parquet([${files.map((f) => sqlString(localPath(f.file_path))).join(', ')}], filename = true) r
         JOIN (SELECT unnest(${list}, recursive := true)) p(f, day) ON p.f = r.filename`,
      ),
    );
    expect(r).toEqual({ wrong: 0, n });
    await expectSameRows(files, rowsSql(n, days));
  });

  it('MERGE dedupes keys repeated across partitions, staged or after the key pass; the latest wins', async () => {
    // Id 1 is in the input three times, each time on another day (partition); id 2 twice.
    const lines = [
      { id: 1, ts: '2024-01-01T10:00:00+00:00', grp: 'old', payload: 'a' },
      { id: 2, ts: '2024-01-02T10:00:00+00:00', grp: 'x', payload: 'b' },
      { id: 1, ts: '2024-01-05T10:00:00+00:00', grp: 'new', payload: 'c' },
      { id: 3, ts: '2024-01-03T10:00:00+00:00', grp: 'x', payload: 'd' },
      { id: 1, ts: '2024-01-04T10:00:00+00:00', grp: 'mid', payload: 'e' },
      { id: 2, ts: '2024-01-01T09:00:00+00:00', grp: 'y', payload: 'f' },
    ];
    const ndjson = join(tc.dir, 'repeats.ndjson');
    writeFileSync(ndjson, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    for (const [name, stageToDedupeBytes] of [
      ['staged', undefined],
      ['keypass', 0],
    ] as const) {
      const t = await createTable(tc.catalog, `pw.merge_${name}`, {
        schema,
        partitionBy: [{ source: 'ts', transform: 'day' }],
        sortBy: [{ source: 'id' }],
      });
      await t.appendQuery(rowsSql(10, 3));
      await t.merge(
        { ndjson },
        { keys: ['id'], orderBy: 'ts', ...(stageToDedupeBytes !== undefined ? { stageToDedupeBytes } : {}) },
      );
      const rows = (await t.scan().toRows()).filter((r) => Number(r.id) >= 1 && Number(r.id) <= 3);
      expect(rows.map((r) => [Number(r.id), r.grp, r.payload]).sort(), name).toEqual([
        [1, 'new', 'c'],
        [2, 'x', 'b'],
        [3, 'x', 'd'],
      ]);
      expect((await t.scan().toRows()).length, name).toBe(10);
      // The winners' files sit in their own days' partitions.
      for (const f of await liveFiles(t)) {
        const [r] = await withDuck((d) =>
          d.json(
            `SELECT count(*) FILTER (WHERE datediff('day', DATE '1970-01-01', ts::DATE) <> ${Number(f.partition.ts_day)})::INT AS wrong FROM read_parquet(${sqlString(localPath(f.file_path))})`,
          ),
        );
        expect(r!.wrong).toBe(0);
      }
    }
  });

  it('a write failing after some files were published leaves none of them behind', async () => {
    const t = await createTable(tc.catalog, 'pw.fails', {
      schema,
      properties: { 'write.target-file-size-bytes': String(128 * 1024) },
      partitionBy: [{ source: 'grp', transform: 'identity' }],
      sortBy: [{ source: 'id' }],
    });
    const real = tc.catalog.io;
    let published = 0;
    // The catalog's own FileIO, with the fifth publish failing (a full disk, a lost connection).
    const io: FileIO = Object.assign(Object.create(Object.getPrototypeOf(real)), real, {
      stageWrite: async (uri: string) => {
        const staged = await real.stageWrite(uri);
        return {
          localPath: staged.localPath,
          discard: () => staged.discard(),
          publish: async () => {
            if (++published === 5) {
              await staged.discard();
              throw new Error('disk full');
            }
            return staged.publish();
          },
        };
      },
    });
    const rows = await withDuck((d) => d.json(rowsSql(30_000, 10)));
    await expect(writeDataFiles(io, t.metadata, rows)).rejects.toThrow(/disk full/);
    expect(published).toBe(5);
    const dataDir = join(localPath(t.metadata.location), 'data');
    const left = readdirSync(dataDir, { recursive: true }).filter((p) => String(p).endsWith('.parquet'));
    expect(left).toEqual([]);
  });
});

describe('splitByColumn', () => {
  it('splits into 16 folders in one pass and into 1,000 in levels, every row in its value folder once', async () => {
    for (const values of [16, 1000, 17]) {
      const dir = join(tc.dir, `split-${values}`);
      const rows = await withDuck((d) =>
        splitByColumn(
          d,
          `SELECT i, md5(i::VARCHAR) AS s, (i * 7919 % ${values})::INTEGER AS k FROM range(30000) t(i)`,
          dir,
          'k',
          0,
          values,
        ),
      );
      expect(rows).toBe(30_000);
      // Only the value folders are left: no level's group folder.
      const folders = readdirSync(dir).sort();
      expect(folders.length).toBe(values);
      expect(folders.every((f) => /^k=\d+$/.test(f))).toBe(true);
      expect(readdirSync(tc.dir).filter((f) => f.startsWith(`split-${values}-`))).toEqual([]);
      const [r] = await withDuck((d) =>
        d.json(
          `SELECT count(*)::INT AS n, count(DISTINCT i)::INT AS d,
                  count(*) FILTER (WHERE (i * 7919 % ${values}) <> k)::INT AS wrong
           FROM read_parquet(${sqlString(join(dir, '*', '*.parquet'))}, hive_partitioning = true)`,
        ),
      );
      expect(r).toEqual({ n: 30_000, d: 30_000, wrong: 0 });
    }
  });
});

describe('compaction through the bounded writers', () => {
  it('a sorted table compacts into sorted files with disjoint ranges per partition; deletes applied', async () => {
    const t = await createTable(tc.catalog, 'pw.compact', {
      schema,
      properties: { 'write.target-file-size-bytes': String(256 * 1024) },
      partitionBy: [{ source: 'grp', transform: 'identity' }],
      sortBy: [{ source: 'id' }],
    });
    // Eight appends of interleaved ids: every file of a partition overlaps every other.
    const batch = (k: number) => `SELECT * FROM (${rowsSql(40_000, 10)}) WHERE id % 8 = ${k}`;
    for (let k = 0; k < 8; k++) await t.appendQuery(batch(k));
    await t.deleteWhere(where.lt('id', 1000));
    const before = await liveFiles(t);
    expect(before.length).toBeGreaterThanOrEqual(24);
    const r = await compactTable(t, { minInputFiles: 2 });
    expect(r.plan.rewrittenFiles).toBe(before.length);
    const files = await liveFiles(t);
    const parts = byPartition(files);
    expect(parts.size).toBe(3);
    // ~1.3 MB per partition at 256 KB: several files each, where the input had eight overlapping.
    for (const fs of parts.values()) expect(fs.length).toBeGreaterThanOrEqual(3);
    const all = await checkSortedDisjoint(files);
    for (const f of files) {
      expect(f.sort_order_id).toBe(1);
      expect(f.file_path).toContain(`/grp=${String(f.partition.grp)}/`);
      const [g] = await withDuck((d) =>
        d.json(`SELECT DISTINCT grp FROM read_parquet(${sqlString(localPath(f.file_path))})`),
      );
      expect(g!.grp).toBe(f.partition.grp);
      expect(BigInt(all.get(f)!.rows)).toBe(f.record_count);
    }
    await expectSameRows(files, `SELECT * FROM (${rowsSql(40_000, 10)}) WHERE id >= 1000`);
  });
});
