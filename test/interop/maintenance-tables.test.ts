/**
 * Maintenance interop: after floe compacts (applying and dropping position deletes), rewrites
 * manifests, expires snapshots and removes orphans, PyIceberg and Spark read exactly what floe
 * reads, current and time-travelled. Two tables: one Spark wrote (partitioned, a merge-on-read
 * DELETE that left position delete files), and one floe wrote with position deletes written by
 * hand. One Spark process makes the first, one verify process (one JVM) reads both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable, loadTable, SqlCatalog, type Table } from '../../src/iceberg/index.js';
import { maintainTable } from '../../src/iceberg/maintenance/maintain.js';
import {
  type CanonicalRow,
  describeFailures,
  INTEROP_TIMEOUT_MS,
  interopAvailable,
  type MakeTablesResult,
  runMakeTables,
  runVerify,
  type VerifyTableJob,
  writeExpectedJsonl,
} from '../support/interop.js';
import { commitPositionDeletes, liveDataFiles, positionsOf } from '../support/position-deletes.js';

const dir = mkdtempSync(join(tmpdir(), 'floe-interop-maint-'));
const catalogSpec = { name: 'floe', db: join(dir, 'catalog.db'), warehouse: join(dir, 'warehouse') };
let catalog: SqlCatalog;
let made: MakeTablesResult;

const sortedIds = (rows: Record<string, unknown>[]) => rows.map((r) => Number(r.id)).sort((a, b) => a - b);

/** Expected rows for `t` (current or at `snapshotId`), as floe reads them. */
async function expectation(t: Table, label: string, snapshotId?: bigint): Promise<VerifyTableJob> {
  const rows = await t.scan(snapshotId === undefined ? {} : { snapshotId }).toRows();
  const path = join(dir, 'expected', `${label}.jsonl`);
  writeExpectedJsonl(path, rows as CanonicalRow[]);
  return {
    identifier: t.name,
    label,
    expected_rows: path,
    ...(snapshotId !== undefined ? { snapshot_id: snapshotId } : {}),
  };
}

describe('after maintenance, PyIceberg and Spark read what floe reads', () => {
  beforeAll(async () => {
    interopAvailable(); // throws with provisioning instructions: never a silent skip
    made = await runMakeTables({
      catalog: catalogSpec,
      out_dir: join(dir, 'made'),
      cases: ['spark_mor_delete'],
    });
    expect(made.errors).toEqual([]);
    catalog = new SqlCatalog({
      name: catalogSpec.name,
      path: catalogSpec.db,
      warehouse: catalogSpec.warehouse,
    });
  }, INTEROP_TIMEOUT_MS);

  afterAll(async () => {
    await catalog?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'Spark position deletes and floe position deletes, compacted away; expired; orphans removed',
    async () => {
      // 1. The Spark table: partitioned by day, a MOR DELETE left position delete files.
      const spark = await loadTable(catalog, made.tables.spark_mor_delete!.identifier);
      const sparkBefore = sortedIds(await spark.scan().toRows());
      expect(sparkBefore).toHaveLength(made.tables.spark_mor_delete!.rows);
      expect((await spark.scan().plan()).tasks.some((x) => x.deletes.length > 0)).toBe(true);

      // 2. A floe table: partitioned, small files, two delete files of its own.
      const t = await createTable(catalog, 'interop.floe_maint', {
        schema: [
          { name: 'id', type: 'long' },
          { name: 'cat', type: 'string' },
          { name: 'amount', type: 'decimal(10, 2)' },
          { name: 'at', type: 'timestamptz' },
        ],
        partitionBy: [{ source: 'cat', transform: 'identity' }],
      });
      for (let i = 0; i < 4; i++)
        await t.append(
          Array.from({ length: 10 }, (_, k) => {
            const id = i * 10 + k;
            return {
              id,
              cat: ['x', 'y'][id % 2],
              amount: `${id}.${String(id % 100).padStart(2, '0')}`,
              at: `2024-02-0${1 + (id % 5)}T10:00:00Z`,
            };
          }),
        );
      const files = await liveDataFiles(t);
      const holding = async (id: number) => {
        for (const f of files) if ((await positionsOf(t, f, 'id', [id])).length) return f;
        throw new Error(`no file holds ${id}`);
      };
      for (const id of [3, 14]) {
        const f = await holding(id);
        await commitPositionDeletes(t, [{ file: f, positions: await positionsOf(t, f, 'id', [id]) }]);
      }
      const floeBefore = sortedIds(await t.scan().toRows());
      expect(floeBefore).toHaveLength(38);

      // 3. Maintain both: compact (deletes applied and dropped), expire all but two, orphans.
      for (const table of [spark, t]) {
        const r = await maintainTable(table, {
          compact: { minInputFiles: 2 },
          rewriteManifests: false,
          expire: { olderThanMs: Date.now() + 1000, retainLast: 2 },
          orphans: { olderThanMs: Date.now() + 1000 },
        });
        expect(r.compact!.snapshotId).toBeDefined();
        expect(r.compact!.plan.removedDeleteFiles.length).toBeGreaterThan(0);
        expect(table.snapshots()).toHaveLength(2);
        expect(table.currentSnapshot()!.summary.operation).toBe('replace');
        expect(table.currentSnapshot()!.summary['total-delete-files']).toBe('0');
      }
      expect(sortedIds(await spark.scan().toRows())).toEqual(sparkBefore);
      expect(sortedIds(await t.scan().toRows())).toEqual(floeBefore);

      // 4. PyIceberg and Spark: current (compacted) and the snapshot before (deletes applied).
      const jobs: VerifyTableJob[] = [];
      for (const table of [spark, t]) {
        const [previous] = table.snapshots();
        jobs.push(await expectation(table, table.name));
        jobs.push(await expectation(table, `${table.name}@previous`, previous!['snapshot-id']));
      }
      const result = await runVerify({ catalog: catalogSpec, engines: ['pyiceberg', 'spark'], tables: jobs });
      expect(result.ok, describeFailures(result)).toBe(true);
      for (const j of jobs)
        for (const engine of ['pyiceberg', 'spark'] as const)
          expect(result.tables[j.label!]?.[engine]?.ok, `${j.label} [${engine}]`).toBe(true);
      // PyIceberg plans no delete file for the compacted tables.
      expect(result.tables[spark.name]?.pyiceberg?.delete_files ?? 0).toBe(0);
      expect(result.tables[t.name]?.pyiceberg?.delete_files ?? 0).toBe(0);
    },
    INTEROP_TIMEOUT_MS,
  );
});
