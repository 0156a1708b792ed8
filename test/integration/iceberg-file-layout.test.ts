/**
 * Write-time file layout: files cut at `write.target-file-size-bytes` and rows sorted by the
 * table's default sort order, on every writer path (row append, NDJSON append, query append,
 * MERGE's new rows, partitioned tables). Each file's counts and bounds are checked against the
 * file itself as DuckDB reads it, the rows against the input, and a MERGE into a rolled sorted
 * table must touch only the files whose key ranges hold its keys.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlString, withDuck } from '../../src/duck/session.js';
import { createTable, type Table, where } from '../../src/iceberg/index.js';
import { deserializeBound } from '../../src/iceberg/spec/bounds.js';
import type { DataFile } from '../../src/iceberg/spec/manifest.js';
import {
  DEFAULT_TARGET_FILE_SIZE_LOCAL,
  DEFAULT_TARGET_FILE_SIZE_OBJECT_STORE,
  targetFileSize,
} from '../../src/iceberg/write/file-layout.js';
import { type TempCatalog, tempCatalog } from '../support/temp-catalog.js';

const TARGET = 256 * 1024;
const props = { 'write.target-file-size-bytes': String(TARGET) };
const schema = [
  { name: 'id', type: 'long' },
  { name: 'grp', type: 'string' },
  { name: 'payload', type: 'string' },
  { name: 'n', type: 'int' },
];
type Row = { id: bigint; grp: string; payload: string; n: number | null };

/** Incompressible-ish payloads (hex of a hash), so 40k rows are several MiB of Parquet. */
function makeRows(ids: readonly number[], n = 0): Row[] {
  return ids.map((i) => ({
    id: BigInt(i),
    grp: `g${i % 3}`,
    payload:
      `${(Math.imul(i, 2654435761) >>> 0).toString(16)}${(Math.imul(i + 7, 40503) >>> 0).toString(16)}${i.toString(36)}`.repeat(
        2,
      ),
    n: i % 11 === 0 ? null : n,
  }));
}
function shuffled(n: number, seed = 7): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  let s = seed;
  for (let i = a.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

let tc: TempCatalog;
beforeAll(async () => {
  tc = tempCatalog();
  await tc.catalog.createNamespace(['lay']);
});
afterAll(async () => tc.cleanup());

async function liveFiles(t: Table): Promise<DataFile[]> {
  return (await t.scan().plan()).tasks.map((x) => x.file);
}

const localPath = (uri: string) => (uri.startsWith('file://') ? new URL(uri).pathname : uri);

/** What DuckDB finds in the file: rows, id range, and whether ids ascend in file order. */
async function fileFacts(f: DataFile) {
  const [r] = await withDuck((d) =>
    d.json(
      `SELECT count(*)::BIGINT AS n, min(id)::VARCHAR AS lo, max(id)::VARCHAR AS hi,
              count(*) FILTER (WHERE prev IS NOT NULL AND id < prev) AS out_of_order
       FROM (SELECT id, lag(id) OVER (ORDER BY file_row_number) AS prev
             FROM read_parquet(${sqlString(localPath(f.file_path))}, file_row_number = true))`,
    ),
  );
  return {
    n: BigInt(String(r!.n)),
    lo: BigInt(String(r!.lo)),
    hi: BigInt(String(r!.hi)),
    unsorted: Number(r!.out_of_order),
  };
}

/** Each file's manifest entry agrees with the file: record count, id bounds, size. */
async function checkFilesAgainstManifest(files: readonly DataFile[]) {
  for (const f of files) {
    const facts = await fileFacts(f);
    expect(f.record_count).toBe(facts.n);
    expect(deserializeBound('long', f.lower_bounds!.find((kv) => kv.key === 1)!.value)).toBe(facts.lo);
    expect(deserializeBound('long', f.upper_bounds!.find((kv) => kv.key === 1)!.value)).toBe(facts.hi);
    expect(f.split_offsets?.length ?? 0).toBeGreaterThan(0);
  }
}

async function readIds(t: Table): Promise<bigint[]> {
  return (await t.scan().toRows())
    .map((r) => BigInt(r.id as bigint))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

describe('target file size', () => {
  it('defaults by location: 128 MiB on S3, 64 MiB locally; the property wins', () => {
    expect(targetFileSize({ location: 's3://b/t', properties: {} })).toBe(
      DEFAULT_TARGET_FILE_SIZE_OBJECT_STORE,
    );
    expect(targetFileSize({ location: 's3a://b/t', properties: {} })).toBe(128 * 1024 * 1024);
    expect(targetFileSize({ location: 'file:///w/t', properties: {} })).toBe(DEFAULT_TARGET_FILE_SIZE_LOCAL);
    expect(DEFAULT_TARGET_FILE_SIZE_LOCAL).toBe(64 * 1024 * 1024);
    expect(
      targetFileSize({ location: 's3://b/t', properties: { 'write.target-file-size-bytes': '1000' } }),
    ).toBe(1000);
  });

  it('an unsorted append larger than the target rolls into files near the target, with right counts and bounds', async () => {
    const t = await createTable(tc.catalog, 'lay.unsorted', { schema, properties: props });
    const input = makeRows(shuffled(40_000));
    const r = await t.append(input);
    const files = await liveFiles(t);
    expect(r.dataFiles).toBe(files.length);
    expect(files.length).toBeGreaterThanOrEqual(3);
    const total = files.reduce((a, f) => a + f.file_size_in_bytes, 0n);
    // Unsorted writes roll in the COPY itself: a file ends at the first row group that takes it
    // past the target (row groups are kept to a fraction of it), and the last file holds the rest.
    const sizes = files.map((f) => Number(f.file_size_in_bytes)).sort((a, b) => a - b);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(TARGET * 1.5);
    for (const size of sizes.slice(1)) expect(size).toBeGreaterThan(TARGET * 0.5);
    for (const f of files) expect(f.sort_order_id).toBe(0);
    expect(Number(total) / TARGET).toBeLessThan(files.length);
    await checkFilesAgainstManifest(files);
    expect(await readIds(t)).toEqual(input.map((x) => x.id).sort((a, b) => (a < b ? -1 : 1)));
  });

  it('an unsorted query write larger than the target rolls too (in the same COPY)', async () => {
    const t = await createTable(tc.catalog, 'lay.query', { schema, properties: props });
    const r = await t.appendQuery(
      `SELECT i::BIGINT AS id, 'q' AS grp, md5(i::VARCHAR) || md5((i * 7)::VARCHAR) AS payload, NULL::INT AS n FROM range(40000) t(i)`,
    );
    const files = await liveFiles(t);
    expect(r.dataFiles).toBe(files.length);
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) expect(Number(f.file_size_in_bytes)).toBeLessThanOrEqual(TARGET * 1.5);
    await checkFilesAgainstManifest(files);
    expect((await readIds(t)).length).toBe(40_000);
    // Only the files of the commit are in the table's data folder: nothing else was left there.
    const onDisk = (await tc.catalog.io.list(`${t.metadata.location}/data`)).filter((u) =>
      u.endsWith('.parquet'),
    );
    expect(onDisk.length).toBe(files.length);
  });

  it('a small write stays one file, and a table without the property uses the local default', async () => {
    const t = await createTable(tc.catalog, 'lay.small', { schema });
    await t.append(makeRows(shuffled(40_000)));
    expect((await liveFiles(t)).length).toBe(1);
  });
});

describe('sort order', () => {
  it('a table created with a sort order writes sorted files with disjoint key ranges and records the order id', async () => {
    const t = await createTable(tc.catalog, 'lay.sorted', {
      schema,
      properties: props,
      sortBy: [{ source: 'id' }],
    });
    expect(t.sortOrder()).toEqual({
      'order-id': 1,
      fields: [{ transform: 'identity', 'source-id': 1, direction: 'asc', 'null-order': 'nulls-first' }],
    });
    const input = makeRows(shuffled(40_000));
    await t.append(input);
    const files = await liveFiles(t);
    expect(files.length).toBeGreaterThanOrEqual(3);
    await checkFilesAgainstManifest(files);
    const ranges = [];
    for (const f of files) {
      expect(f.sort_order_id).toBe(1);
      const facts = await fileFacts(f);
      expect(facts.unsorted).toBe(0);
      ranges.push(facts);
    }
    ranges.sort((a, b) => (a.lo < b.lo ? -1 : 1));
    for (let i = 1; i < ranges.length; i++) expect(ranges[i - 1]!.hi).toBeLessThan(ranges[i]!.lo);
    expect(await readIds(t)).toEqual(input.map((x) => x.id).sort((a, b) => (a < b ? -1 : 1)));
  });

  it('MERGE into a rolled sorted table touches only the files whose key ranges hold its keys', async () => {
    const t = await createTable(tc.catalog, 'lay.merge', {
      schema,
      properties: props,
      sortBy: [{ source: 'id' }],
    });
    await t.append(makeRows(shuffled(40_000)));
    const files = await liveFiles(t);
    const ranges = await Promise.all(
      files.map(async (f) => ({ path: f.file_path, ...(await fileFacts(f)) })),
    );
    // Keys in one narrow band, plus new keys beyond every file.
    const band = ranges.sort((a, b) => (a.lo < b.lo ? -1 : 1))[1]!;
    const keys = [Number(band.lo) + 1, Number(band.lo) + 5, Number(band.hi) - 1, 50_000, 50_001];
    // Given in reverse: the one small file of new rows is sorted in its COPY.
    const r = await t.merge(makeRows([...keys].reverse(), 9), { keys: ['id'] });
    expect(r.matchedRows).toBe(3n);
    const summary = r.snapshot.summary;
    expect(summary['added-position-delete-files']).toBe('1');
    const plan = await t.scan().plan();
    const touched = plan.tasks.filter((x) => x.deletes.length > 0).map((x) => x.file.file_path);
    expect(touched).toEqual([band.path]);
    // New rows are written sorted too.
    const added = plan.tasks
      .map((x) => x.file)
      .filter((f) => !files.some((o) => o.file_path === f.file_path));
    expect(added.length).toBe(1);
    expect(added[0]!.sort_order_id).toBe(1);
    expect(await fileFacts(added[0]!)).toMatchObject({ n: 5n, unsorted: 0 });
    const rows = await t.scan().toRows();
    expect(rows.length).toBe(40_002);
    // Each merged key holds its new row (makeRows gives every 11th id a null n).
    const byId = new Map(rows.map((x) => [Number(x.id), x.n]));
    for (const k of keys) expect(byId.get(k)).toBe(k % 11 === 0 ? null : 9);
    expect(rows.filter((x) => x.n === 9).length).toBe(keys.filter((k) => k % 11 !== 0).length);
  });

  it('copy-on-write MERGE and delete keep a sorted file sorted, over its position deletes, and record its order', async () => {
    const t = await createTable(tc.catalog, 'lay.cow_sorted', {
      schema,
      properties: props,
      sortBy: [{ source: 'id' }],
    });
    await t.append(makeRows(shuffled(40_000)));
    const files = await liveFiles(t);
    expect(files.length).toBeGreaterThan(2);
    const band = (await Promise.all(files.map(async (f) => ({ f, ...(await fileFacts(f)) })))).sort((a, b) =>
      a.lo < b.lo ? -1 : 1,
    )[1]!;
    // Position deletes on the band's file first (merge-on-read), then copy-on-write from there on.
    const lo = Number(band.lo);
    const d = await t.deleteWhere(where.and(where.gte('id', lo), where.lt('id', lo + 3)));
    expect(d.snapshot.summary['added-position-delete-files']).toBe('1');
    await t.updateSchema({
      setProperties: { 'write.merge.mode': 'copy-on-write', 'write.delete.mode': 'copy-on-write' },
    });
    const r = await t.merge(makeRows([lo + 10, lo + 20], 9), { keys: ['id'] });
    expect(r.matchedRows).toBe(2n);
    await t.deleteWhere(where.eq('id', lo + 30));
    const after = await liveFiles(t);
    const rewritten = after.filter((f) => !files.some((o) => o.file_path === f.file_path));
    // The band's file rewritten (twice: the MERGE, then the delete), plus the MERGE's new rows.
    expect(rewritten.length).toBe(2);
    for (const f of rewritten) {
      expect(f.sort_order_id).toBe(1);
      expect((await fileFacts(f)).unsorted).toBe(0);
    }
    await checkFilesAgainstManifest(after);
    const ids = await readIds(t);
    expect(ids).not.toContain(BigInt(lo));
    expect(ids).not.toContain(BigInt(lo + 30));
    expect(ids).toContain(BigInt(lo + 10));
  });

  it('follows descending order with nulls last, on the NDJSON and query paths, and after replaceSortOrder', async () => {
    const t = await createTable(tc.catalog, 'lay.desc', { schema, properties: props });
    // Unsorted first; then the order is set on the existing table.
    const order = await t.replaceSortOrder([
      { source: 'n', direction: 'desc', nullOrder: 'nulls-last' },
      { source: 'id' },
    ]);
    expect(order['order-id']).toBe(1);
    expect(t.metadata['sort-orders'].map((o) => o['order-id'])).toEqual([0, 1]);
    // Setting the same order again commits nothing.
    const location = t.metadataLocation;
    await t.replaceSortOrder([{ source: 'n', direction: 'desc', nullOrder: 'nulls-last' }, { source: 'id' }]);
    expect(t.metadataLocation).toBe(location);
    const rows = makeRows(shuffled(30_000)).map((r) => ({
      ...r,
      n: r.n === null ? null : Number(r.id % 5n),
    }));
    const path = join(tc.dir, 'rows.ndjson');
    writeFileSync(path, rows.map((r) => JSON.stringify({ ...r, id: Number(r.id) })).join('\n'));
    await t.append({ ndjson: path }, { expectedRows: rows.length });
    await t.appendQuery(
      `SELECT (100000 + i)::BIGINT AS id, 'q' AS grp, md5(i::VARCHAR) || md5((i * 7)::VARCHAR) AS payload, (i % 3)::INT AS n FROM range(30000) t(i)`,
    );
    const files = await liveFiles(t);
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      expect(f.sort_order_id).toBe(1);
      const [bad] = await withDuck((d) =>
        d.json(
          `SELECT count(*) FILTER (WHERE p IS NOT NULL AND NOT (
                 (n IS NOT DISTINCT FROM pn AND id > pid) OR (pn IS NOT NULL AND n IS NULL) OR (n < pn)))::INT AS bad
           FROM (SELECT n, id, lag(n) OVER w AS pn, lag(id) OVER w AS pid, lag(1) OVER w AS p
                 FROM read_parquet(${sqlString(localPath(f.file_path))}, file_row_number = true)
                 WINDOW w AS (ORDER BY file_row_number))`,
        ),
      );
      expect(bad!.bad).toBe(0);
    }
    expect((await t.scan().toRows()).length).toBe(60_000);
  });

  it('partitioned and sorted: each partition rolls into its own sorted files', async () => {
    const t = await createTable(tc.catalog, 'lay.parts', {
      schema,
      properties: props,
      partitionBy: [{ source: 'grp', transform: 'identity' }],
      sortBy: [{ source: 'id' }],
    });
    const input = makeRows(shuffled(60_000));
    await t.append(input);
    const files = await liveFiles(t);
    const byPart = new Map<string, DataFile[]>();
    for (const f of files)
      byPart.set(String(f.partition.grp), [...(byPart.get(String(f.partition.grp)) ?? []), f]);
    expect([...byPart.keys()].sort()).toEqual(['g0', 'g1', 'g2']);
    await checkFilesAgainstManifest(files);
    for (const [grp, fs] of byPart) {
      expect(fs.length).toBeGreaterThanOrEqual(2);
      for (const f of fs) {
        expect(f.file_path).toContain(`/grp=${grp}/`);
        expect(f.sort_order_id).toBe(1);
        expect((await fileFacts(f)).unsorted).toBe(0);
      }
    }
    expect(await readIds(t)).toEqual(input.map((x) => x.id).sort((a, b) => (a < b ? -1 : 1)));
  });

  it('a sorted write larger than the target: files follow one another in the order (desc, nulls first), none shares a key with another', async () => {
    const t = await createTable(tc.catalog, 'lay.ordered', {
      schema,
      properties: props,
      sortBy: [{ source: 'n', direction: 'desc', nullOrder: 'nulls-first' }, { source: 'id' }],
    });
    // n: 0–49 or null (every 7th row), ids scrambled: the first term repeats across many rows.
    await t.appendQuery(
      `SELECT ((i * 7919) % 60000)::BIGINT AS id, 'q' AS grp, md5(i::VARCHAR) || md5((i * 7)::VARCHAR) AS payload,
              CASE WHEN i % 7 = 0 THEN NULL ELSE (i % 50)::INT END AS n
       FROM range(60000) t(i)`,
    );
    const files = await liveFiles(t);
    expect(files.length).toBeGreaterThanOrEqual(3);
    type Key = { n: number | null; id: bigint };
    // The order: n descending with nulls first, then id ascending. < 0: a before b.
    const cmp = (a: Key, b: Key) =>
      a.n === b.n
        ? a.id < b.id
          ? -1
          : a.id > b.id
            ? 1
            : 0
        : a.n === null
          ? -1
          : b.n === null
            ? 1
            : b.n - a.n;
    const spans: { first: Key; last: Key }[] = [];
    for (const f of files) {
      expect(f.sort_order_id).toBe(1);
      const keys = (
        await withDuck((d) =>
          d.rows(
            `SELECT n, id FROM read_parquet(${sqlString(localPath(f.file_path))}, file_row_number = true) ORDER BY file_row_number`,
          ),
        )
      ).map((r) => ({ n: r.n as number | null, id: r.id as bigint }));
      for (let i = 1; i < keys.length; i++) expect(cmp(keys[i - 1]!, keys[i]!)).toBeLessThan(0);
      spans.push({ first: keys[0]!, last: keys[keys.length - 1]! });
    }
    spans.sort((a, b) => cmp(a.first, b.first));
    expect(spans[0]!.first.n).toBeNull();
    for (let i = 1; i < spans.length; i++) expect(cmp(spans[i - 1]!.last, spans[i]!.first)).toBeLessThan(0);
    expect((await readIds(t)).length).toBe(60_000);
  });

  it('bucket sort fields cannot be computed here: rows follow the fields before them, files say unsorted', async () => {
    const t = await createTable(tc.catalog, 'lay.bucket', {
      schema,
      sortBy: [{ source: 'grp' }, { source: 'id', transform: 'bucket[4]' }],
    });
    await t.append(makeRows(shuffled(1000)));
    const [f] = await liveFiles(t);
    expect(f!.sort_order_id).toBe(0);
  });

  it('refuses a sort order on an unknown column, naming it', async () => {
    await expect(
      createTable(tc.catalog, 'lay.bad', { schema, sortBy: [{ source: 'nope' }] }),
    ).rejects.toThrow(/sortOrder\[0\]: sort column "nope" is not in the schema/);
  });
});
