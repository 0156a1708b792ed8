/**
 * others → floe: tables created and appended by PyIceberg and by Spark (bucket partitioning,
 * schema evolution, and a merge-on-read DELETE that writes position delete files) are read by
 * floe, which must return exactly the rows those engines hold, also when time-travelling.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTable, SqlCatalog } from '../../src/iceberg/index.js';
import {
  ALL_MAKE_CASES,
  type CanonicalRow,
  INTEROP_TIMEOUT_MS,
  interopAvailable,
  type MakeTablesResult,
  parseJsonLossless,
  runMakeTables,
} from '../support/interop.js';
import { canonicalSet } from '../support/temp-catalog.js';

const dir = mkdtempSync(join(tmpdir(), 'floe-interop-in-'));
const catalogSpec = { name: 'floe', db: join(dir, 'catalog.db'), warehouse: join(dir, 'warehouse') };
let made: MakeTablesResult;
let catalog: SqlCatalog;

function readJsonl(path: string): CanonicalRow[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => parseJsonLossless(l) as CanonicalRow);
}

describe('PyIceberg and Spark → floe', () => {
  beforeAll(async () => {
    interopAvailable(); // throws with provisioning instructions: never a silent skip
    made = await runMakeTables({
      catalog: catalogSpec,
      out_dir: join(dir, 'expected'),
      cases: ALL_MAKE_CASES,
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

  for (const c of ALL_MAKE_CASES) {
    it(`reads ${c} exactly, current and time-travelled`, async () => {
      const m = made.tables[c];
      expect(m, `make_tables produced ${c}`).toBeDefined();
      const t = await loadTable(catalog, m!.identifier);
      const rows = await t.scan().toRows();
      expect(canonicalSet(rows)).toEqual(canonicalSet(readJsonl(m!.expected_rows)));
      for (const tt of m!.time_travel) {
        const old = await t.scan({ snapshotId: tt.snapshot_id }).toRows();
        expect(canonicalSet(old)).toEqual(canonicalSet(readJsonl(tt.expected_rows)));
      }
    });
  }

  it('applies the position deletes Spark wrote for DELETE in merge-on-read mode', async () => {
    const m = made.tables.spark_mor_delete!;
    const t = await loadTable(catalog, m.identifier);
    const plan = await t.scan().plan();
    expect(plan.tasks.some((x) => x.deletes.length > 0)).toBe(true);
    expect((await t.scan().toRows()).length).toBe(m.rows);
  });

  it('applies the position deletes Spark wrote for MERGE INTO and UPDATE in merge-on-read mode', async () => {
    const m = made.tables.spark_mor_merge!;
    const t = await loadTable(catalog, m.identifier);
    const plan = await t.scan().plan();
    expect(plan.tasks.some((x) => x.deletes.length > 0)).toBe(true);
    expect(canonicalSet(await t.scan().toRows())).toEqual(canonicalSet(readJsonl(m.expected_rows)));
  });
});
