/**
 * Self-test of the interop harness, independent of floe's writer: PyIceberg and Spark create tables
 * (make_tables.py), then both engines verify them (verify.py) against the rows the maker wrote.
 * A deliberately wrong expectation must fail, so we know the comparison can fail.
 * One make process + one verify process (one JVM start each).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_MAKE_CASES,
  type CanonicalRow,
  describeFailures,
  INTEROP_TIMEOUT_MS,
  interopAvailable,
  type MadeTable,
  type MakeTablesResult,
  parseJsonLossless,
  runMakeTables,
  runVerify,
  type VerifyResult,
  type VerifyTableJob,
  writeExpectedJsonl,
} from '../support/interop.js';

const dir = mkdtempSync(join(tmpdir(), 'floe-interop-selftest-'));
const catalog = { name: 'floe', db: join(dir, 'catalog.db'), warehouse: join(dir, 'warehouse') };

let made: MakeTablesResult;
let verified: VerifyResult;

function table(result: MakeTablesResult, name: keyof MakeTablesResult['tables']): MadeTable {
  const t = result.tables[name];
  if (!t) throw new Error(`make_tables did not produce ${name}: ${result.errors.join('; ')}`);
  return t;
}

function readJsonl(path: string): CanonicalRow[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => parseJsonLossless(l) as CanonicalRow);
}

describe('interop harness self-test (PyIceberg + Spark)', () => {
  beforeAll(async () => {
    interopAvailable(); // throws with provisioning instructions: never a silent skip
    made = await runMakeTables({ catalog, out_dir: join(dir, 'expected'), cases: ALL_MAKE_CASES });
    expect(made.errors).toEqual([]);
    expect(made.ok).toBe(true);

    const tables: VerifyTableJob[] = [];
    for (const t of Object.values(made.tables)) {
      if (!t) continue;
      tables.push({
        identifier: t.identifier,
        expected_rows: t.expected_rows,
        aggregates: t.aggregates,
        pruning: t.pruning,
      });
      for (const tt of t.time_travel) {
        tables.push({
          identifier: t.identifier,
          snapshot_id: tt.snapshot_id,
          expected_rows: tt.expected_rows,
        });
      }
    }

    // Deliberately wrong expectations, written by the TypeScript writer: one changed value, one
    // missing row, and a wrong count and max.
    const bucket = table(made, 'spark_bucket');
    const rows = readJsonl(bucket.expected_rows);
    const changed = rows.map((r, i) => (i === 0 ? { ...r, name: 'not-what-spark-wrote' } : r));
    const wrongPath = join(dir, 'expected', 'wrong.jsonl');
    writeExpectedJsonl(wrongPath, changed.slice(0, -1));
    tables.push({
      identifier: bucket.identifier,
      label: 'wrong-expectation',
      expected_rows: wrongPath,
      aggregates: { count: bucket.rows + 1, max: { id: 1 } },
    });

    // Float (32-bit) values written the way a JS writer would (Math.fround widening) must still match.
    const py = table(made, 'pyiceberg_partitioned');
    const widened = readJsonl(py.expected_rows).map((r) => ({
      ...r,
      f32: typeof r.f32 === 'number' ? Math.fround(r.f32) : (r.f32 ?? null),
    }));
    const widenedPath = join(dir, 'expected', 'widened-f32.jsonl');
    writeExpectedJsonl(widenedPath, widened);
    tables.push({ identifier: py.identifier, label: 'float32-widened', expected_rows: widenedPath });

    verified = await runVerify({ catalog, engines: ['pyiceberg', 'spark'], tables });
  }, 2 * INTEROP_TIMEOUT_MS);

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('made all four tables, with position deletes in the merge-on-read case', () => {
    expect(Object.keys(made.tables).sort()).toEqual([...ALL_MAKE_CASES].sort());
    const mor = table(made, 'spark_mor_delete');
    expect(mor.info.position_delete_files).toBeGreaterThan(0);
    expect(mor.rows).toBeLessThan(mor.time_travel[0]!.rows);
    expect(typeof mor.snapshot_ids[0]).toBe('bigint');
    expect(table(made, 'spark_schema_evolution').info.schema_fields).toEqual(['id', 'name', 'score', 'tags']);
  });

  it('both engines read every table as the writer wrote it (rows, time travel, aggregates, pruning)', () => {
    const failures = Object.entries(verified.tables)
      .filter(([label]) => label !== 'wrong-expectation')
      .flatMap(([label, engines]) =>
        (['pyiceberg', 'spark'] as const)
          .filter((e) => !engines[e]?.ok)
          .map((e) => `${label} [${e}]: ${engines[e]?.errors.join('; ') ?? 'no result'}`),
      );
    expect(failures, describeFailures(verified)).toEqual([]);
    const py = table(made, 'pyiceberg_partitioned');
    const pyResult = verified.tables[py.identifier]!;
    expect(pyResult.pyiceberg!.rows).toBe(py.rows);
    expect(pyResult.spark!.rows).toBe(py.rows);
    // pruning: a partition filter plans fewer files than the full scan
    const beta = pyResult.pyiceberg!.pruning!.find((p) => p.filter.includes('beta'))!;
    expect(beta.files_planned).toBeLessThan(pyResult.pyiceberg!.files_planned!);
    // Spark answers count/min/max from manifest stats for a table without deletes
    expect(Object.values(pyResult.spark!.aggregates!.pushed_down!).every(Boolean)).toBe(true);
    // the merge-on-read table is read through its delete files
    const mor = table(made, 'spark_mor_delete');
    expect(verified.tables[mor.identifier]!.pyiceberg!.delete_files).toBeGreaterThan(0);
  });

  it('a wrong expectation fails on both engines with a useful message', () => {
    expect(verified.ok).toBe(false);
    const wrong = verified.tables['wrong-expectation']!;
    for (const engine of ['pyiceberg', 'spark'] as const) {
      const r = wrong[engine]!;
      expect(r.ok).toBe(false);
      const text = r.errors.join('\n');
      expect(text).toMatch(/row mismatch/);
      expect(text).toMatch(/not-what-spark-wrote/);
      expect(text).toMatch(/count\(\*\): expected/);
      expect(text).toMatch(/max\(id\): expected 1/);
    }
  });
});
