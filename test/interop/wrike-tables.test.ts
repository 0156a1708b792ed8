/**
 * Acceptance for L1: a run of the Wrike pack against the simulator creates every Wrike table,
 * and PyIceberg, an independent reader, gets the simulator's records in each: same fields
 * (snake_case), same types, same nested values. Expected rows are built from the simulator's
 * ground truth, not from what floe wrote.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobParams } from '../../src/config/job-params.js';
import { scaffoldProject } from '../../src/connectors/scaffold.js';
import { wrikePack } from '../../src/connectors/wrike/index.js';
import { loadTable, SqlCatalog } from '../../src/iceberg/index.js';
import { toCanonical } from '../../src/iceberg/spec/values.js';
import { runJob } from '../../src/job/run-job.js';
import { startWrikeSimulator, type WrikeObject, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import { recordTransformer } from '../support/expected-rows.js';
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

const dir = mkdtempSync(join(tmpdir(), 'floe-wrike-tables-'));
let sim: WrikeSimulator;
let result: VerifyResult;
const jobs: VerifyTableJob[] = [];

/** Table → the simulator object whose ground truth it must equal. */
const TABLES: Record<string, WrikeObject> = {
  staging_contacts: 'contacts',
  staging_customfields: 'customfields',
  staging_workflows: 'workflows',
  staging_spaces: 'spaces',
  staging_folders: 'folders',
  staging_projectsdetails: 'projects',
  staging_tasks: 'tasks',
  staging_timelogs: 'timelogs',
};

let quirkOnly = false;
function pyicebergNullListQuirk(): boolean {
  return quirkOnly;
}

describe('Wrike pack → Iceberg tables, read by PyIceberg', () => {
  beforeAll(async () => {
    interopAvailable();
    sim = await startWrikeSimulator({ tasks: 1500, seed: 5, rateLimit: false });
    await scaffoldProject({ dir, baseUrl: sim.origin, force: true });
    const out = await runJob(
      parseJobParams(['--project', dir, '--platform', 'wrike', '--process-type', 'L1'], {}),
      {
        logStream: { write: () => true },
        now: () => sim.now(),
      },
    );
    expect(out.results.filter((r) => r.status !== 'SUCCESS')).toEqual([]);
    const catalog = new SqlCatalog({
      name: 'floe',
      path: join(dir, '.floe', 'catalog.db'),
      warehouse: join(dir, 'warehouse'),
    });
    const pack = new Map(
      wrikePack({ baseUrl: sim.origin }).map((c) => [(c.destination as { glueTable: string }).glueTable, c]),
    );
    try {
      for (const [table, object] of Object.entries(TABLES)) {
        const t = await loadTable(catalog, `wrike_staging.${table}`);
        const [first] = await t.scan({ limit: 1, select: ['ingest_timestamp', 'ingest_run_id'] }).toRows();
        const toRow = recordTransformer('snake_case', {
          timestamp: String(first!.ingest_timestamp),
          runId: String(first!.ingest_run_id),
        });
        const params =
          (pack.get(table)!.source as { request: { params?: { fields?: string[] } } }).request.params ?? {};
        const truth: CanonicalRow[] = [];
        const struct = { type: 'struct' as const, fields: t.schema().fields };
        for await (const r of sim.records(
          object,
          object === 'tasks' && params.fields ? { fields: params.fields } : undefined,
        )) {
          truth.push(toCanonical(struct, toRow(r)) as CanonicalRow);
        }
        const expected = join(dir, 'expected', `${table}.jsonl`);
        writeExpectedJsonl(expected, truth);
        jobs.push({
          identifier: `wrike_staging.${table}`,
          engines: ['pyiceberg', 'spark'],
          expected_rows: expected,
          aggregates: { count: truth.length },
        });
      }
      // The default-field projects table: same ids as the detailed one.
      jobs.push({
        identifier: 'wrike_staging.staging_projects',
        engines: ['pyiceberg'],
        aggregates: { count: jobs.find((j) => j.identifier.endsWith('projectsdetails'))!.aggregates!.count! },
      });
    } finally {
      await catalog.close();
    }
    const cat = { name: 'floe', db: join(dir, '.floe', 'catalog.db'), warehouse: join(dir, 'warehouse') };
    result = await runVerify({ catalog: cat, tables: jobs });
    // Confirm the customfields difference is exactly the quirk: expected rows with those null
    // lists written as [] must then match in PyIceberg.
    const cf = jobs.find((j) => j.identifier.endsWith('staging_customfields'))!;
    const { readFileSync } = await import('node:fs');
    const quirky = readFileSync(cf.expected_rows!, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const r = JSON.parse(l) as { settings?: { options?: unknown } | null };
        if (r.settings && r.settings.options === null) r.settings.options = [];
        return r as CanonicalRow;
      });
    const quirkyPath = join(dir, 'expected', 'customfields-quirk.jsonl');
    writeExpectedJsonl(quirkyPath, quirky);
    const q = await runVerify({
      catalog: cat,
      engines: ['pyiceberg'],
      tables: [{ identifier: cf.identifier, expected_rows: quirkyPath }],
    });
    quirkOnly = q.ok;
  }, INTEROP_TIMEOUT_MS);

  afterAll(async () => {
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every Wrike table exists and PyIceberg and Spark read exactly the simulator’s records', () => {
    // Known PyIceberg 0.12 quirk, seen on staging_customfields: a null list<struct> nested in a
    // struct (settings.options of a Checkbox field) comes back from scan().to_arrow() as [],
    // while pyarrow, DuckDB and Spark read null from the same file. It is tolerated only there,
    // only for PyIceberg and only as that exact difference; Spark must match exactly.
    const failures = describeFailures(result)
      .split('\n')
      .filter((l) => l !== '')
      .filter(
        (l) => !(l.startsWith('wrike_staging.staging_customfields [pyiceberg]') && pyicebergNullListQuirk()),
      );
    expect(failures).toEqual([]);
    expect(Object.keys(result.tables).length).toBe(Object.keys(TABLES).length + 1);
    expect(result.tables['wrike_staging.staging_customfields']?.spark?.ok).toBe(true);
  });
});
