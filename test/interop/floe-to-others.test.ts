/**
 * floe → others: tables written by floe, read back by PyIceberg (SqlCatalog on the same SQLite
 * file) and Spark 3.5 (JdbcCatalog on the same file), which must return exactly the rows floe
 * wrote; Spark's count/min/max come from floe's manifest statistics; PyIceberg's pruning must
 * return the right subset from the right files. One verify process (one JVM) for all tables.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable, SqlCatalog, type Table } from '../../src/iceberg/index.js';
import type { PartitionFieldInput } from '../../src/iceberg/spec/partition.js';
import { toCanonical } from '../../src/iceberg/spec/values.js';
import { ALL_TYPES, allTypesRow, TIME_TYPES, timeRow } from '../support/all-types.js';
import {
  type CanonicalRow,
  type CanonicalValue,
  describeFailures,
  INTEROP_TIMEOUT_MS,
  interopAvailable,
  runVerify,
  type VerifyResult,
  type VerifyTableJob,
  writeExpectedJsonl,
} from '../support/interop.js';
import { canonicalSet } from '../support/temp-catalog.js';

const dir = mkdtempSync(join(tmpdir(), 'floe-interop-out-'));
const catalogSpec = { name: 'floe', db: join(dir, 'catalog.db'), warehouse: join(dir, 'warehouse') };
const catalog = new SqlCatalog({
  name: catalogSpec.name,
  path: catalogSpec.db,
  warehouse: catalogSpec.warehouse,
});

const SPECS: Record<string, PartitionFieldInput[]> = {
  unpartitioned: [],
  identity: [{ source: 'name', transform: 'identity' }],
  year: [{ source: 'day', transform: 'year' }],
  month: [{ source: 'ts', transform: 'month' }],
  day: [{ source: 'tstz', transform: 'day' }],
  hour: [{ source: 'ts', transform: 'hour' }],
  bucket: [{ source: 'id', transform: 'bucket[8]' }],
  truncate_string: [{ source: 'name', transform: 'truncate[3]' }],
  truncate_int: [{ source: 'small', transform: 'truncate[1000]' }],
};
const APPENDS = [1, 2, 25];
const AGG_COLUMNS = ['id', 'small', 'score', 'price', 'amount', 'day', 'ts', 'tstz'];

let result: VerifyResult;
const jobs: VerifyTableJob[] = [];

function canonical(t: Table, row: Record<string, unknown>): CanonicalRow {
  return toCanonical({ type: 'struct', fields: t.schema().fields }, row) as CanonicalRow;
}

/** Numeric-aware ordering of canonical values (decimals are strings; dates/timestamps sort as text). */
function cmp(a: CanonicalValue, b: CanonicalValue): number {
  if (
    typeof a === 'string' &&
    typeof b === 'string' &&
    /^-?\d+(\.\d+)?$/.test(a) &&
    /^-?\d+(\.\d+)?$/.test(b)
  ) {
    return Number(a) - Number(b) || a.localeCompare(b);
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return Number(a) - Number(b);
}

function aggregates(rows: CanonicalRow[]) {
  const min: Record<string, CanonicalValue> = {};
  const max: Record<string, CanonicalValue> = {};
  for (const c of AGG_COLUMNS) {
    const values = rows.map((r) => r[c]).filter((v): v is CanonicalValue => v !== null && v !== undefined);
    if (!values.length) continue;
    min[c] = values.reduce((a, b) => (cmp(a, b) <= 0 ? a : b));
    max[c] = values.reduce((a, b) => (cmp(a, b) >= 0 ? a : b));
  }
  return { count: rows.length, min, max };
}

describe('floe → PyIceberg and Spark', () => {
  beforeAll(async () => {
    interopAvailable(); // throws with provisioning instructions: never a silent skip
    await catalog.createNamespace(['interop']);
    let next = 0;
    for (const [specName, partitionBy] of Object.entries(SPECS)) {
      for (const appends of APPENDS) {
        const name = `interop.${specName}_${appends}`;
        const t = await createTable(catalog, name, { schema: ALL_TYPES, partitionBy });
        const perAppend = appends === 25 ? 3 : 12;
        const written: CanonicalRow[] = [];
        for (let a = 0; a < appends; a++) {
          const batch = Array.from({ length: perAppend }, () => allTypesRow(next++));
          await t.append(batch);
          written.push(...batch.map((r) => canonical(t, r)));
        }
        const expected = join(dir, 'expected', `${name}.jsonl`);
        writeExpectedJsonl(expected, written);
        const job: VerifyTableJob = {
          identifier: name,
          expected_rows: expected,
          aggregates: { ...aggregates(written), require_pushdown: specName === 'unpartitioned' },
        };
        jobs.push(job);
      }
    }
    // Pruning: partition pruning (day) and statistics pruning (unpartitioned, id ranges per file).
    const dayRows = jobs.find((j) => j.identifier === 'interop.day_25')!;
    const dayTable = await (await import('../../src/iceberg/index.js')).loadTable(catalog, 'interop.day_25');
    const dayAll = (await dayTable.scan().toRows()) as CanonicalRow[];
    const sorted = dayAll.map((r) => String(r.tstz)).sort();
    // A day boundary 70% into the data: earlier days' files must be pruned.
    const cutoff = `${sorted[Math.floor(sorted.length * 0.7)]!.slice(0, 10)}T00:00:00+00:00`;
    const dayFiles = (await dayTable.scan().plan()).tasks.length;
    (dayRows as { pruning?: unknown }).pruning = [
      {
        filter: `tstz >= '${cutoff}'`,
        expected_count: dayAll.filter((r) => String(r.tstz) >= cutoff.replace('+00:00', '')).length,
        expected_files_at_most: dayFiles - 1,
      },
    ];
    const flat = jobs.find((j) => j.identifier === 'interop.unpartitioned_25')!;
    const flatTable = await (await import('../../src/iceberg/index.js')).loadTable(
      catalog,
      'interop.unpartitioned_25',
    );
    const flatRows = (await flatTable.scan().toRows()) as CanonicalRow[];
    const ids = flatRows.map((r) => BigInt(r.id as number | bigint)).sort((a, b) => (a < b ? -1 : 1));
    const idCut = ids[ids.length - 6]!;
    (flat as { pruning?: unknown }).pruning = [
      { filter: `id >= ${idCut}`, expected_count: 6, expected_files_at_most: 3 },
    ];

    // `time` columns: PyIceberg only (Spark 3.5 has no TIME type).
    const tt = await createTable(catalog, 'interop.time_type', { schema: TIME_TYPES });
    const timeRows = Array.from({ length: 20 }, (_, i) => timeRow(i));
    await tt.append(timeRows);
    const timeExpected = join(dir, 'expected', 'time.jsonl');
    writeExpectedJsonl(
      timeExpected,
      timeRows.map((r) => canonical(tt, r)),
    );
    jobs.push({ identifier: 'interop.time_type', engines: ['pyiceberg'], expected_rows: timeExpected });

    // Time travel: the 2-append table read at its first snapshot.
    const two = await (await import('../../src/iceberg/index.js')).loadTable(
      catalog,
      'interop.unpartitioned_2',
    );
    const first = two.history()[0]!;
    const firstRows = (await two.scan({ snapshotId: first['snapshot-id'] }).toRows()) as CanonicalRow[];
    expect(firstRows.length).toBe(12);
    const ttExpected = join(dir, 'expected', 'time-travel.jsonl');
    writeExpectedJsonl(ttExpected, firstRows);
    jobs.push({
      identifier: 'interop.unpartitioned_2',
      snapshot_id: first['snapshot-id'],
      expected_rows: ttExpected,
    });

    // MERGE by id over three rounds (updates of existing ids, updates of ids merged before, new
    // ids): merge-on-read leaves position delete files, copy-on-write rewrites files. The
    // expected rows come from a model of the upserts, not from floe's read.
    const MERGES: [mode: 'merge-on-read' | 'copy-on-write', spec: string][] = [
      ['merge-on-read', 'unpartitioned'],
      ['merge-on-read', 'identity'],
      ['merge-on-read', 'bucket'],
      ['copy-on-write', 'unpartitioned'],
    ];
    for (const [mode, specName] of MERGES) {
      const name = `interop.merge_${mode === 'merge-on-read' ? 'mor' : 'cow'}_${specName}`;
      const t = await createTable(catalog, name, {
        schema: ALL_TYPES,
        partitionBy: SPECS[specName]!,
        properties: { 'write.merge.mode': mode },
      });
      const model = new Map<string, CanonicalRow>();
      const put = (rows: Record<string, unknown>[]) => {
        for (const r of rows) model.set(String(r.id), canonical(t, r));
      };
      for (let a = 0; a < 3; a++) {
        const batch = Array.from({ length: 10 }, (_, i) => allTypesRow(a * 10 + i));
        await t.append(batch);
        put(batch);
      }
      for (let round = 0; round < 3; round++) {
        // ids round*8 … round*8+14: some first-written, some merged last round, some new.
        const rows = Array.from({ length: 15 }, (_, k) => ({
          ...allTypesRow(1000 + round * 100 + k),
          id: allTypesRow(round * 8 + k + (k > 11 ? 30 : 0)).id,
        }));
        const r = await t.merge(rows, { keys: ['id'] });
        if (mode === 'merge-on-read')
          expect(Number(r.snapshot.summary['added-position-deletes'])).toBeGreaterThan(0);
        put(rows);
      }
      const want = [...model.values()];
      const floeRead = (await t.scan().toRows()) as CanonicalRow[];
      expect(canonicalSet(floeRead)).toEqual(canonicalSet(want));
      const expected = join(dir, 'expected', `${name}.jsonl`);
      writeExpectedJsonl(expected, want);
      jobs.push({
        identifier: name,
        expected_rows: expected,
        aggregates: { ...aggregates(want), require_pushdown: false },
      });
    }

    // Schema evolution beyond adding columns: widen int→long and float→double, rename a column,
    // make a required column optional, add a column inside a struct. Old files are read by field
    // id under the new names and types.
    {
      const name = 'interop.evolved';
      const t = await createTable(catalog, name, {
        schema: [
          { name: 'id', type: 'long', required: true },
          { name: 'qty', type: 'int' },
          { name: 'price', type: 'float' },
          { name: 'label', type: 'string', required: true },
          { name: 'info', type: { type: 'struct', fields: [{ name: 'city', type: 'string' }] } },
        ],
      });
      await t.append(
        Array.from({ length: 5 }, (_, i) => ({
          id: BigInt(i),
          qty: i,
          price: i + 0.5,
          label: `l${i}`,
          info: { city: `c${i}` },
        })),
      );
      await t.updateSchema({
        widen: [
          { name: 'qty', type: 'long' },
          { name: 'price', type: 'double' },
        ],
        renameColumns: [{ name: 'label', to: 'title' }],
        makeOptional: ['title'],
        addColumns: [{ name: 'zip', type: 'string', parent: 'info' }],
      });
      await t.append([
        { id: 10n, qty: 5_000_000_000n, price: 1.25, title: null, info: { city: 'x', zip: '123' } },
      ]);
      const want: CanonicalRow[] = [
        ...Array.from({ length: 5 }, (_, i) =>
          canonical(t, {
            id: BigInt(i),
            qty: BigInt(i),
            price: i + 0.5,
            title: `l${i}`,
            info: { city: `c${i}`, zip: null },
          }),
        ),
        canonical(t, {
          id: 10n,
          qty: 5_000_000_000n,
          price: 1.25,
          title: null,
          info: { city: 'x', zip: '123' },
        }),
      ];
      expect(canonicalSet((await t.scan().toRows()) as CanonicalRow[])).toEqual(canonicalSet(want));
      const expected = join(dir, 'expected', `${name}.jsonl`);
      writeExpectedJsonl(expected, want);
      jobs.push({ identifier: name, expected_rows: expected });
    }

    result = await runVerify({ catalog: catalogSpec, engines: ['pyiceberg', 'spark'], tables: jobs });
  }, INTEROP_TIMEOUT_MS);

  afterAll(async () => {
    await catalog.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every table reads back identically in PyIceberg and Spark, with matching count/min/max', () => {
    expect(describeFailures(result)).toBe('');
    expect(result.ok).toBe(true);
    const labels = Object.keys(result.tables);
    expect(labels.length).toBe(jobs.length);
    for (const j of jobs) {
      const label = j.snapshot_id ? `${j.identifier}@${j.snapshot_id}` : j.identifier;
      const r = result.tables[label]!;
      expect(r.pyiceberg?.ok, `${label} pyiceberg`).toBe(true);
      if (!j.engines) expect(r.spark?.ok, `${label} spark`).toBe(true);
    }
  });

  it('Spark answers count/min/max from floe manifest statistics on the unpartitioned tables', () => {
    const r = result.tables['interop.unpartitioned_25']!.spark!;
    expect(r.aggregates?.pushed_down).toBeDefined();
    expect(Object.values(r.aggregates!.pushed_down!).every(Boolean)).toBe(true);
  });

  it('PyIceberg partition and statistics pruning return the right subset from fewer files', () => {
    const day = result.tables['interop.day_25']!.pyiceberg!;
    expect(day.pruning?.[0]?.rows).toBeGreaterThan(0);
    const flat = result.tables['interop.unpartitioned_25']!.pyiceberg!;
    expect(flat.pruning?.[0]?.rows).toBe(6);
    expect(flat.pruning?.[0]?.files_planned).toBeLessThanOrEqual(3);
  });
});
