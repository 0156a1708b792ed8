/**
 * The bounded-memory sorted write (sorted-write.ts, sort-ranges.ts) on its own: key ranges agree
 * with DuckDB's ORDER BY (nulls first and last, descending, a low-cardinality first term, a
 * transform), and a write cut into many small ranges comes out as several files, each sorted, in
 * order one after the other, with no tie split across two files, holding every row once. The
 * order checks are written out per case in SQL rather than with the module's own comparison.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WrittenParquet } from '../../src/duck/parquet.js';
import { type Duck, sqlString, withDuck } from '../../src/duck/session.js';
import { createTable, type Table } from '../../src/iceberg/index.js';
import type { DataFile } from '../../src/iceberg/spec/manifest.js';
import { currentSchema } from '../../src/iceberg/spec/metadata.js';
import { dataFileOf, fieldIdTree } from '../../src/iceberg/write/data-writer.js';
import { rangeOfRowSql, sampleBoundaries } from '../../src/iceberg/write/sort-ranges.js';
import { writeSorted } from '../../src/iceberg/write/sorted-write.js';
import { type OrderTerm, writeOrder } from '../../src/iceberg/write/write-order.js';
import { type TempCatalog, tempCatalog } from '../support/temp-catalog.js';

let tc: TempCatalog;
beforeAll(async () => {
  tc = tempCatalog();
  await tc.catalog.createNamespace(['srt']);
});
afterAll(async () => tc.cleanup());

const schema = [
  { name: 'id', type: 'long' },
  { name: 'grp', type: 'string' },
  { name: 'ts', type: 'timestamptz' },
  { name: 'payload', type: 'string' },
];

/**
 * N rows in a scrambled order: ids unique except every 97th null, grp one of three values or
 * null, ts spread over 40 days with every 13th null, payload hex noise (so files have a size).
 */
function rowsSql(n: number): string {
  return `SELECT CASE WHEN i % 97 = 0 THEN NULL ELSE ((i * 7919) % ${n})::BIGINT END AS id,
                 CASE WHEN i % 11 = 0 THEN NULL ELSE ['a', 'b', 'c'][1 + (i % 3)] END AS grp,
                 CASE WHEN i % 13 = 0 THEN NULL ELSE TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds((i * 104729) % (40 * 86400)) END AS ts,
                 md5(i::VARCHAR) || md5((i + 1)::VARCHAR) AS payload
          FROM range(${n}) t(i)`;
}

async function sortedTable(
  name: string,
  sortBy: Parameters<typeof createTable>[2]['sortBy'],
): Promise<Table> {
  return createTable(tc.catalog, `srt.${name}`, { schema, sortBy });
}

async function write(t: Table, n: number, target: number, rangeRows: number, splitChunkRows?: number) {
  const metadata = t.metadata;
  const tableSchema = currentSchema(metadata);
  const order = writeOrder(metadata, tableSchema);
  const files = await withDuck((duck) =>
    writeSorted({
      duck,
      io: tc.catalog.io,
      metadata,
      sql: `SELECT * FROM (${rowsSql(n)})`,
      order,
      fieldIds: fieldIdTree(tableSchema),
      target,
      rangeRows,
      ...(splitChunkRows ? { splitChunkRows } : {}),
      dataFile: (uri: string, size: number, partition: Record<string, unknown>, w: WrittenParquet) =>
        dataFileOf(uri, size, partition, w, tableSchema, metadata, order.sortOrderId),
    }),
  );
  return { files, order };
}

const localPath = (uri: string) => (uri.startsWith('file://') ? new URL(uri).pathname : uri);

/**
 * The files' rows in write order (file after file, each in its row order; or in `orderBy`, to
 * check that a check can fail) with the previous row's values, whether there is one, and
 * whether the row starts a file, as a relation for order checks.
 */
function inWriteOrder(files: readonly DataFile[], orderBy = 'o.k, file_row_number'): string {
  const list = files.map((f, i) => `(${sqlString(localPath(f.file_path))}, ${i})`).join(', ');
  return `(SELECT r.*, o.k AS file_no, file_row_number = 0 AS first_in_file, row_number() OVER w > 1 AS has_prev,
                  lag(id) OVER w AS p_id, lag(grp) OVER w AS p_grp, lag(ts) OVER w AS p_ts
           FROM read_parquet([${files.map((f) => sqlString(localPath(f.file_path))).join(', ')}], filename = true, file_row_number = true) r
           JOIN (VALUES ${list}) o(f, k) ON o.f = r.filename
           WINDOW w AS (ORDER BY ${orderBy}))`;
}

async function count(duck: Duck, sql: string): Promise<number> {
  const [r] = await duck.json(`SELECT count(*)::INT AS n FROM ${sql}`);
  return Number(r!.n);
}

describe('key ranges', () => {
  it('range numbers never decrease along ORDER BY, for nulls first/last, desc, a low-cardinality first term and a transform', async () => {
    const cases: OrderTerm[][] = [
      [{ expr: '"id"', desc: false, nullsFirst: true }],
      [{ expr: '"id"', desc: true, nullsFirst: false }],
      [
        { expr: '"grp"', desc: false, nullsFirst: false },
        { expr: '"id"', desc: true, nullsFirst: true },
      ],
      [
        { expr: `date_trunc('day', "ts")`, desc: true, nullsFirst: true },
        { expr: '"grp"', desc: false, nullsFirst: true },
        { expr: '"id"', desc: false, nullsFirst: false },
      ],
    ];
    await withDuck(async (duck) => {
      await duck.run(`CREATE TEMP TABLE kr AS ${rowsSql(20_000)}`);
      for (const fields of cases) {
        const bounds = await sampleBoundaries(duck, 'kr', fields, 25, 5000);
        // A low-cardinality first term still splits: later terms make the boundaries distinct.
        expect(bounds.length).toBeGreaterThanOrEqual(20);
        const order = fields
          .map((f) => `${f.expr} ${f.desc ? 'DESC' : 'ASC'} ${f.nullsFirst ? 'NULLS FIRST' : 'NULLS LAST'}`)
          .join(', ');
        const [r] = await duck.json(
          `SELECT count(*) FILTER (WHERE p IS NOT NULL AND rg < p)::INT AS bad, count(DISTINCT rg)::INT AS used
           FROM (SELECT rg, lag(rg) OVER (ORDER BY ${order}, rg) AS p
                 FROM (SELECT *, ${rangeOfRowSql(fields, bounds)} AS rg FROM kr))`,
        );
        expect(r!.bad).toBe(0);
        expect(r!.used).toBe(bounds.length + 1);
      }
    });
  });

  it('boundaries of other types come back as literals of their type: decimal, binary, uuid, double with NaN, date, time', async () => {
    await withDuck(async (duck) => {
      await duck.run(
        `CREATE TEMP TABLE kt AS SELECT (i * 37 % 1000 / 7)::DECIMAL(18, 4) AS d, ('\\x' || lpad(to_hex(i * 7919 % 4096), 4, '0'))::BLOB AS b,
                md5(i::VARCHAR)::UUID AS u, CASE WHEN i % 50 = 0 THEN 'NaN'::DOUBLE ELSE (i * 13 % 997) / 3.0 END AS f,
                DATE '2024-01-01' + (i * 31 % 400)::INTEGER AS dt, TIME '00:00:00' + to_seconds(i * 61 % 86400) AS tm
         FROM range(5000) t(i)`,
      );
      for (const col of ['d', 'b', 'u', 'f', 'dt', 'tm']) {
        for (const desc of [false, true]) {
          const fields: OrderTerm[] = [{ expr: `"${col}"`, desc, nullsFirst: !desc }];
          const bounds = await sampleBoundaries(duck, 'kt', fields, 10, 5000);
          expect(bounds.length, col).toBeGreaterThanOrEqual(8);
          const [r] = await duck.json(
            `SELECT count(*) FILTER (WHERE p IS NOT NULL AND rg < p)::INT AS bad, count(DISTINCT rg)::INT AS used
             FROM (SELECT rg, lag(rg) OVER (ORDER BY "${col}" ${desc ? 'DESC' : 'ASC'}, rg) AS p
                   FROM (SELECT *, ${rangeOfRowSql(fields, bounds)} AS rg FROM kt))`,
          );
          expect(r, col).toEqual({ bad: 0, used: bounds.length + 1 });
        }
      }
    });
  });
});

describe('writeSorted', () => {
  // 40 ranges: split in two levels (16 folders a pass); `chunked`: the range pass also reads the
  // scratch file 3,000 rows at a time, and the chunks' folders of one range come together.
  it.each([
    ['whole', undefined],
    ['chunked', 3000],
  ] as const)(
    'many small ranges make several files near the target, each sorted, in order, rows intact (grp nulls last, id desc nulls first): %s',
    async (name, splitChunkRows) => {
      const n = 20_000;
      const target = 256 * 1024;
      const t = await sortedTable(`multi_${name}`, [
        { source: 'grp', nullOrder: 'nulls-last' },
        { source: 'id', direction: 'desc', nullOrder: 'nulls-first' },
      ]);
      const { files, order } = await write(t, n, target, 500, splitChunkRows);
      expect(order.sortOrderId).toBe(1);
      expect(files.length).toBeGreaterThanOrEqual(3);
      for (const f of files) expect(f.sort_order_id).toBe(1);
      // About equal files near the target: 40 ranges of ~30 KB spread over them.
      for (const f of files) expect(Number(f.file_size_in_bytes)).toBeLessThanOrEqual(target * 1.25);
      for (const f of files) expect(Number(f.file_size_in_bytes)).toBeGreaterThan(target * 0.5);
      await withDuck(async (duck) => {
        const rel = inWriteOrder(files);
        // Row before its predecessor: grp earlier (nulls last), or same grp and id earlier (desc, nulls first).
        const before = `((grp IS NOT NULL AND (p_grp IS NULL OR grp < p_grp))
                      OR (grp IS NOT DISTINCT FROM p_grp AND ((id IS NULL AND p_id IS NOT NULL) OR id > p_id)))`;
        const tie = 'grp IS NOT DISTINCT FROM p_grp AND id IS NOT DISTINCT FROM p_id';
        expect(await count(duck, `${rel} WHERE has_prev AND ${before}`)).toBe(0);
        // The same check finds rows out of order when they are (here: in payload order).
        expect(
          await count(duck, `${inWriteOrder(files, 'payload')} WHERE has_prev AND ${before}`),
        ).toBeGreaterThan(1000);
        // No tie straddles two files: a file starts strictly after the previous one ends.
        expect(await count(duck, `${rel} WHERE file_no > 0 AND first_in_file AND ${tie}`)).toBe(0);
        const [all] = await duck.json(
          `SELECT count(*)::INT AS n, count(DISTINCT payload)::INT AS d, count(*) FILTER (WHERE id IS NULL)::INT AS null_ids
         FROM ${rel}`,
        );
        expect(all).toEqual({ n, d: n, null_ids: Math.ceil(n / 97) });
      });
      expect(files.reduce((a, f) => a + f.record_count, 0n)).toBe(BigInt(n));
    },
  );

  it('a transform and descending nulls-first order: day(ts) desc nulls first, then id', async () => {
    const n = 12_000;
    const t = await sortedTable('byday', [
      { source: 'ts', transform: 'day', direction: 'desc', nullOrder: 'nulls-first' },
      { source: 'id' },
    ]);
    const { files } = await write(t, n, 128 * 1024, 400);
    expect(files.length).toBeGreaterThanOrEqual(3);
    await withDuck(async (duck) => {
      const rel = inWriteOrder(files);
      const day = (c: string) => `date_trunc('day', ${c})`;
      const before = `((${day('ts')} IS NULL AND ${day('p_ts')} IS NOT NULL) OR ${day('ts')} > ${day('p_ts')}
                      OR (${day('ts')} IS NOT DISTINCT FROM ${day('p_ts')} AND ((id IS NULL AND p_id IS NOT NULL) OR id < p_id)))`;
      expect(await count(duck, `${rel} WHERE has_prev AND ${before}`)).toBe(0);
      expect(
        await count(duck, `${inWriteOrder(files, 'payload')} WHERE has_prev AND ${before}`),
      ).toBeGreaterThan(1000);
      // The null days come first, in the first file.
      const [first] = await duck.json(`SELECT ts FROM ${rel} WHERE file_no = 0 AND first_in_file`);
      expect(first!.ts).toBeNull();
      expect(await count(duck, rel)).toBe(n);
    });
  });

  it('a small write is one range, sorted straight into one file; an empty one writes nothing', async () => {
    const t = await sortedTable('small', [{ source: 'id' }]);
    const { files } = await write(t, 1000, 64 * 1024 * 1024, 100_000);
    expect(files.length).toBe(1);
    await withDuck(async (duck) => {
      const rel = inWriteOrder(files);
      expect(
        await count(duck, `${rel} WHERE has_prev AND ((id IS NULL AND p_id IS NOT NULL) OR id < p_id)`),
      ).toBe(0);
    });
    const empty = await withDuck((duck) =>
      writeSorted({
        duck,
        io: tc.catalog.io,
        metadata: t.metadata,
        sql: `SELECT * FROM (${rowsSql(10)}) WHERE false`,
        order: writeOrder(t.metadata, currentSchema(t.metadata)),
        fieldIds: fieldIdTree(currentSchema(t.metadata)),
        target: 1024,
        dataFile: () => {
          throw new Error('no file expected');
        },
      }),
    );
    expect(empty).toEqual([]);
  });
});
