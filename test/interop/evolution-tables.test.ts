/**
 * Row-level operations and schema evolution, interop: after floe's delete by filter (both
 * modes), overwrite by filter, dynamic partition overwrite, compaction and expiry over renamed
 * nested fields, and after each kind of schema change (add, add nested, rename, rename nested,
 * widen int/float/decimal, make optional, drop, drop nested, union by name) with rows written
 * before and after it, PyIceberg and Spark read exactly what floe reads. One table per case, one
 * verify process (one JVM) for all of them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable, SqlCatalog, type Table, where } from '../../src/iceberg/index.js';
import { compactTable } from '../../src/iceberg/maintenance/compact.js';
import { expireSnapshots } from '../../src/iceberg/maintenance/expire-snapshots.js';
import type { FieldInput } from '../../src/iceberg/spec/schema.js';
import { decimalParts, type IcebergType, isList, isMap, isStruct } from '../../src/iceberg/spec/types.js';
import type { SchemaUpdate } from '../../src/iceberg/write/update-schema.js';
import {
  type CanonicalRow,
  describeFailures,
  INTEROP_TIMEOUT_MS,
  interopAvailable,
  runVerify,
  type VerifyResult,
  type VerifyTableJob,
  writeExpectedJsonl,
} from '../support/interop.js';

const dir = mkdtempSync(join(tmpdir(), 'floe-interop-evolve-'));
const catalogSpec = { name: 'floe', db: join(dir, 'catalog.db'), warehouse: join(dir, 'warehouse') };
let catalog: SqlCatalog;
let result: VerifyResult;
const jobs: VerifyTableJob[] = [];

const BASE: FieldInput[] = [
  { name: 'id', type: 'long', required: true },
  { name: 'i', type: 'int' },
  { name: 'f', type: 'float' },
  { name: 'd', type: 'decimal(9, 2)' },
  { name: 'r', type: 'string', required: true },
  {
    name: 's',
    type: {
      type: 'struct',
      fields: [
        { name: 'a', type: 'int' },
        { name: 'b', type: 'string' },
      ],
    },
  },
  {
    name: 'l',
    type: {
      type: 'list',
      element: {
        type: 'struct',
        fields: [
          { name: 'x', type: 'int' },
          { name: 'y', type: 'string' },
        ],
      },
    },
  },
  {
    name: 'm',
    type: { type: 'map', key: 'string', value: { type: 'struct', fields: [{ name: 'q', type: 'int' }] } },
  },
];

/** A value of `type` for row `id` (floats exact in float32, so widening keeps them). */
function value(type: IcebergType, id: number, salt: string): unknown {
  if (isStruct(type))
    return Object.fromEntries(type.fields.map((f) => [f.name, value(f.type, id, `${salt}.${f.name}`)]));
  if (isList(type)) return Array.from({ length: id % 3 }, (_, k) => value(type.element, id + k, salt));
  // Never a null map: PyIceberg 0.12 reads a null map/list of structs as empty
  // (apache/iceberg-python#251, #3833); Spark and floe read null.
  if (isMap(type)) return id % 4 === 0 ? [] : [[`k${id}`, value(type.value, id, salt)]];
  const n = (id * 37 + salt.length) % 997;
  if (type === 'int') return n;
  if (type === 'long') return BigInt(n) * 1_000_000_007n;
  if (type === 'float' || type === 'double') return n + 0.5;
  const dec = decimalParts(type);
  if (dec) return `${n}.${String(id % 100).padStart(2, '0')}`;
  return `${salt}-${id}`;
}
function rows(t: Table, from: number, n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, k) =>
    Object.fromEntries(
      t
        .schema()
        .fields.map((f) => [f.name, f.name === 'id' ? BigInt(from + k) : value(f.type, from + k, f.name)]),
    ),
  );
}

/** Queues the table for PyIceberg and Spark, expecting what floe reads now. */
async function expectFloeRead(t: Table): Promise<Record<string, unknown>[]> {
  const got = await t.scan().toRows();
  const path = join(dir, 'expected', `${t.name}.jsonl`);
  writeExpectedJsonl(path, got as CanonicalRow[]);
  jobs.push({ identifier: t.name, expected_rows: path });
  return got;
}

const SCHEMA_CHANGES: Record<string, SchemaUpdate> = {
  add: { addColumns: [{ name: 'note', type: 'string' }] },
  add_nested: {
    addColumns: [
      { name: 'c', type: 'int', parent: 's' },
      { name: 'z', type: 'string', parent: 'l' },
      { name: 'w', type: 'long', parent: 'm.value' },
    ],
  },
  rename: { renameColumns: [{ name: 'r', to: 'title' }] },
  rename_nested: {
    renameColumns: [
      { name: 's.a', to: 'aa' },
      { name: 'l.element.x', to: 'xx' },
      { name: 'm.value.q', to: 'qq' },
      { name: 's', to: 'st' },
    ],
  },
  widen_int: { widen: [{ name: 'i', type: 'long' }] },
  widen_float: { widen: [{ name: 'f', type: 'double' }] },
  widen_decimal: { widen: [{ name: 'd', type: 'decimal(18, 2)' }] },
  make_optional: { makeOptional: ['r'] },
  drop: { dropColumns: ['f', 'm'] },
  drop_nested: { dropColumns: ['s.b', 'l.y'] },
  union_by_name: {
    unionByName: {
      fields: [
        { name: 'id', type: 'long' },
        { name: 'i', type: 'long' },
        { name: 'r', type: 'string', required: false },
        {
          name: 's',
          type: {
            type: 'struct',
            fields: [
              { name: 'a', type: 'int' },
              { name: 'e', type: 'double' },
            ],
          },
        },
        { name: 'extra', type: { type: 'list', element: 'string' } },
      ],
    },
  },
};

describe('row-level operations and schema evolution: PyIceberg and Spark read what floe reads', () => {
  beforeAll(async () => {
    interopAvailable(); // throws with provisioning instructions: never a silent skip
    catalog = new SqlCatalog({
      name: catalogSpec.name,
      path: catalogSpec.db,
      warehouse: catalogSpec.warehouse,
    });
    await catalog.createNamespace(['ev']);

    // Each schema change: rows before it, the change, rows after it.
    for (const [name, change] of Object.entries(SCHEMA_CHANGES)) {
      const t = await createTable(catalog, `ev.schema_${name}`, { schema: BASE });
      await t.append(rows(t, 0, 6));
      const before = t.metadata['current-schema-id'];
      await t.updateSchema(change);
      expect(t.metadata['current-schema-id'], name).toBe(before + 1);
      await t.append(rows(t, 100, 3));
      const got = await expectFloeRead(t);
      expect(got).toHaveLength(9);
    }

    // Delete by filter in both modes, on a partitioned table (whole files and row positions).
    for (const mode of ['merge-on-read', 'copy-on-write'] as const) {
      const t = await createTable(catalog, `ev.delete_${mode === 'merge-on-read' ? 'mor' : 'cow'}`, {
        schema: BASE,
        partitionBy: [{ source: 'id', transform: 'truncate[10]' }],
        properties: { 'write.delete.mode': mode },
      });
      await t.append(rows(t, 0, 25));
      await t.append(rows(t, 25, 10));
      const r = await t.deleteWhere(
        where.or(where.lt('id', 3), where.and(where.gte('id', 20), where.lt('id', 27))),
      );
      expect(r.deletedRows).toBe(10n);
      if (mode === 'merge-on-read')
        expect(Number(r.snapshot.summary['added-position-delete-files'])).toBeGreaterThan(0);
      expect(await expectFloeRead(t)).toHaveLength(25);
    }

    // Union by name relaxing required list elements and map values, then rows holding nulls there.
    {
      const t = await createTable(catalog, 'ev.union_elements', {
        schema: [
          { name: 'id', type: 'long', required: true },
          { name: 'tags', type: { type: 'list', element: 'string', 'element-required': true } },
          { name: 'attrs', type: { type: 'map', key: 'string', value: 'int', 'value-required': true } },
        ],
      });
      await t.append([{ id: 1n, tags: ['a', 'b'], attrs: [['k', 1]] }]);
      await t.updateSchema({
        unionByName: {
          fields: [
            { name: 'tags', type: { type: 'list', element: 'string' } },
            { name: 'attrs', type: { type: 'map', key: 'string', value: 'int' } },
          ],
        },
      });
      await t.append([{ id: 2n, tags: ['c', null], attrs: [['k', null]] }]);
      expect(await expectFloeRead(t)).toHaveLength(2);
    }

    // Overwrite by filter.
    {
      const t = await createTable(catalog, 'ev.overwrite_filter', { schema: BASE });
      await t.append(rows(t, 0, 20));
      const fresh = rows(t, 500, 4).map((r, k) => ({ ...r, id: BigInt(5 + k) }));
      const r = await t.overwriteWhere(where.and(where.gte('id', 5), where.lt('id', 12)), fresh);
      expect(r.deletedRows).toBe(7n);
      expect(await expectFloeRead(t)).toHaveLength(17);
    }

    // Dynamic partition overwrite over a partition holding position deletes.
    {
      const t = await createTable(catalog, 'ev.overwrite_partitions', {
        schema: BASE,
        partitionBy: [{ source: 'id', transform: 'truncate[10]' }],
      });
      await t.append(rows(t, 0, 30));
      await t.deleteWhere(where.eq('id', 12));
      const fresh = rows(t, 900, 3).map((r, k) => ({ ...r, id: BigInt([11, 15, 42][k]!) }));
      const r = await t.overwritePartitions(fresh);
      expect(r.snapshot.summary.operation).toBe('overwrite');
      expect(await expectFloeRead(t)).toHaveLength(23);
    }

    // Compaction and expiry after nested renames and merge-on-read deletes: the compacted files
    // are written from old files read by field id.
    {
      const t = await createTable(catalog, 'ev.compacted', { schema: BASE });
      for (let k = 0; k < 3; k++) await t.append(rows(t, k * 10, 10));
      await t.merge(rows(t, 5, 10), { keys: ['id'] });
      await t.updateSchema(SCHEMA_CHANGES.rename_nested!);
      await t.append(rows(t, 40, 5));
      const c = await compactTable(t, { minInputFiles: 2 });
      expect(c.snapshotId).toBeDefined();
      await expireSnapshots(t, { olderThanMs: Date.now() + 1000, retainLast: 1 });
      expect(t.snapshots()).toHaveLength(1);
      expect(t.currentSnapshot()!.summary['total-delete-files']).toBe('0');
      expect(await expectFloeRead(t)).toHaveLength(35);
    }

    result = await runVerify({ catalog: catalogSpec, engines: ['pyiceberg', 'spark'], tables: jobs });
  }, INTEROP_TIMEOUT_MS);

  afterAll(async () => {
    await catalog?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every table reads back identically in PyIceberg and Spark', () => {
    expect(result.ok, describeFailures(result)).toBe(true);
    expect(jobs.length).toBe(Object.keys(SCHEMA_CHANGES).length + 6);
    for (const j of jobs)
      for (const engine of ['pyiceberg', 'spark'] as const)
        expect(result.tables[j.identifier]?.[engine]?.ok, `${j.identifier} [${engine}]`).toBe(true);
  });
});
