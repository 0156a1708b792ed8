/**
 * Acceptance for L2 interop: PyIceberg and Spark, independent readers, read the refined Wrike
 * tables floe wrote (a first run and an incremental MERGE on top, so the tables have rewritten
 * files) and get exactly the rows computed from the simulator's ground truth: lists, maps, dates,
 * zone-less timestamps and UTC timestamps included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobParams } from '../../src/config/job-params.js';
import { scaffoldProject } from '../../src/connectors/scaffold.js';
import { loadTable, SqlCatalog } from '../../src/iceberg/index.js';
import { toCanonical } from '../../src/iceberg/spec/values.js';
import { runJob } from '../../src/job/run-job.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
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
import {
  byKey,
  expectedProjects,
  expectedTasks,
  expectedTimelogDaily,
  type Row,
  wrikeTruth,
} from '../support/wrike-l2-expected.js';

const dir = mkdtempSync(join(tmpdir(), 'floe-l2-interop-'));
let sim: WrikeSimulator;
let result: VerifyResult;
const counts: Record<string, number> = {};

const TABLES = {
  projects: { keys: ['project_id'], expected: expectedProjects },
  tasks: { keys: ['task_id'], expected: expectedTasks },
  timelog_daily: { keys: ['user_id', 'project_id', 'work_date'], expected: expectedTimelogDaily },
} as const;

describe('L2 tables read by PyIceberg and Spark', () => {
  beforeAll(async () => {
    interopAvailable();
    sim = await startWrikeSimulator({ tasks: 900, seed: 13, rateLimit: false });
    await scaffoldProject({ dir, baseUrl: sim.origin, force: true });
    const run = () =>
      runJob(parseJobParams(['--project', dir, '--platform', 'wrike', '--process-type', 'both'], {}), {
        logStream: { write: () => true },
        now: () => sim.now(),
      });
    expect((await run()).ok).toBe(true);
    sim.advanceClock(30 * 3600_000);
    expect((await run()).ok).toBe(true);
    const truth = await wrikeTruth(sim);
    const catalog = new SqlCatalog({
      name: 'floe',
      path: join(dir, '.floe', 'catalog.db'),
      warehouse: join(dir, 'warehouse'),
    });
    const jobs: VerifyTableJob[] = [];
    try {
      for (const [name, spec] of Object.entries(TABLES)) {
        const t = await loadTable(catalog, `wrike_refined.${name}`);
        // L2's own columns (when and by which run each row was written) come from the table.
        const own = new Map<string, Row>();
        for (const r of await t
          .scan({ select: [...spec.keys, 'ingest_timestamp', 'ingest_run_id'] })
          .toRows())
          own.set(spec.keys.map((k) => String(r[k])).join('|'), {
            ingest_timestamp: r.ingest_timestamp,
            ingest_run_id: r.ingest_run_id,
          });
        const struct = { type: 'struct' as const, fields: t.schema().fields };
        const rows: CanonicalRow[] = [];
        for (const [key, row] of byKey(spec.expected(truth), spec.keys)) {
          expect(own.has(key), `${name}: row ${key} missing in the table`).toBe(true);
          rows.push(toCanonical(struct, { ...row, ...own.get(key) }) as CanonicalRow);
        }
        counts[name] = rows.length;
        const expected = join(dir, 'expected', `${name}.jsonl`);
        writeExpectedJsonl(expected, rows);
        jobs.push({
          identifier: `wrike_refined.${name}`,
          engines: ['pyiceberg', 'spark'],
          expected_rows: expected,
          aggregates: { count: rows.length },
        });
      }
    } finally {
      await catalog.close();
    }
    result = await runVerify({
      catalog: { name: 'floe', db: join(dir, '.floe', 'catalog.db'), warehouse: join(dir, 'warehouse') },
      tables: jobs,
    });
  }, INTEROP_TIMEOUT_MS);

  afterAll(async () => {
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('PyIceberg and Spark read exactly the expected rows of projects, tasks and timelog_daily', () => {
    expect(describeFailures(result)).toBe('');
    for (const name of Object.keys(TABLES)) {
      const t = result.tables[`wrike_refined.${name}`];
      expect(t?.pyiceberg?.ok, name).toBe(true);
      expect(t?.spark?.ok, name).toBe(true);
      expect(t?.pyiceberg?.rows, name).toBe(counts[name]);
      expect(t?.spark?.rows, name).toBe(counts[name]);
    }
  });
});
