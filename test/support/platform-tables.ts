/**
 * Shared steps of the platform acceptance tests: expected table rows from a simulator's ground
 * truth (names normalised, ingest columns added, values canonical for the table's schema) and
 * a PyIceberg verification of every table against them.
 */
import { join } from 'node:path';
import { loadTable, SqlCatalog } from '../../src/iceberg/index.js';
import { toCanonical } from '../../src/iceberg/spec/values.js';
import { recordTransformer } from './expected-rows.js';
import {
  type CanonicalRow,
  runVerify,
  type VerifyResult,
  type VerifyTableJob,
  writeExpectedJsonl,
} from './interop.js';

export function projectCatalog(dir: string): SqlCatalog {
  return new SqlCatalog({
    name: 'floe',
    path: join(dir, '.floe', 'catalog.db'),
    warehouse: join(dir, 'warehouse'),
  });
}

/**
 * Verifies `tables` (identifier → ground-truth records, already in the API's shape plus any
 * declared conversion the test makes itself) with PyIceberg. `label` keeps expected files apart.
 */
export interface ExpectedTable {
  records: Record<string, unknown>[];
  /** Record field and table column of the key (default `id`). */
  idField?: string;
  idColumn?: string;
}

export async function verifyTables(
  dir: string,
  tables: Record<string, Record<string, unknown>[] | ExpectedTable>,
  label: string,
): Promise<{ result: VerifyResult; counts: Record<string, number> }> {
  const catalog = projectCatalog(dir);
  const jobs: VerifyTableJob[] = [];
  const counts: Record<string, number> = {};
  try {
    for (const [identifier, spec] of Object.entries(tables)) {
      const { records, idField = 'id', idColumn = 'id' } = Array.isArray(spec) ? { records: spec } : spec;
      const t = await loadTable(catalog, identifier);
      // Every row of a table carries the ingest columns of the run that last wrote it.
      const ingest = await t.scan({ select: [idColumn, 'ingest_timestamp', 'ingest_run_id'] }).toRows();
      const byId = new Map(ingest.map((r) => [String(r[idColumn]), r]));
      const struct = { type: 'struct' as const, fields: t.schema().fields };
      const rows: CanonicalRow[] = records.map((r) => {
        const i = byId.get(String(r[idField]));
        const toRow = recordTransformer('snake_case', {
          timestamp: String(i?.ingest_timestamp ?? '1970-01-01T00:00:00Z'),
          runId: String(i?.ingest_run_id ?? 'missing'),
        });
        return toCanonical(struct, toRow(r)) as CanonicalRow;
      });
      const expected = join(dir, 'expected', label, `${identifier}.jsonl`);
      writeExpectedJsonl(expected, rows);
      counts[identifier] = rows.length;
      jobs.push({
        identifier,
        engines: ['pyiceberg'],
        expected_rows: expected,
        aggregates: { count: rows.length },
      });
    }
  } finally {
    await catalog.close();
  }
  const cat = { name: 'floe', db: join(dir, '.floe', 'catalog.db'), warehouse: join(dir, 'warehouse') };
  return { result: await runVerify({ catalog: cat, engines: ['pyiceberg'], tables: jobs }), counts };
}
