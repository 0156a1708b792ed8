/**
 * A month of nightly syncs: Wrike tasks, INCREMENTAL MERGE (merge-on-read: position deletes pile
 * up), one run per simulated day for 30 days, then `maintainTable` (compaction folds the deletes
 * back, expiry and orphan removal). The table must then equal a fresh FULL load of the same
 * simulator state, id by id and column by column, and PyIceberg and Spark must read exactly those
 * rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobParams } from '../../src/config/job-params.js';
import { loadTable } from '../../src/iceberg/index.js';
import { maintainTable } from '../../src/iceberg/maintenance/maintain.js';
import { runJob } from '../../src/job/run-job.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import {
  type CanonicalRow,
  describeFailures,
  INTEROP_TIMEOUT_MS,
  interopAvailable,
  runVerify,
  writeExpectedJsonl,
} from '../support/interop.js';
import { type TempProject, tasksItem, tempProject, withProjectCatalog } from '../support/l1-project.js';
import { canonicalSet } from '../support/temp-catalog.js';

const DAY = 86_400_000;
const INGEST = ['ingest_timestamp', 'ingest_date', 'ingest_run_id'];
let sim: WrikeSimulator;
let nightly: TempProject;
let fresh: TempProject;
const out = mkdtempSync(join(tmpdir(), 'floe-month-'));

async function run(project: TempProject, args: string[] = []) {
  const r = await runJob(parseJobParams(['--project', project.dir, '--PROCESS_TYPE', 'L1', ...args], {}), {
    logStream: { write: () => true },
    now: () => sim.now(),
  });
  expect(r.results.filter((x) => x.status !== 'SUCCESS')).toEqual([]);
  return r;
}

/** The table's rows without the ingest columns (they say when and by which run a row was written). */
async function content(project: TempProject): Promise<CanonicalRow[]> {
  return withProjectCatalog(project.dir, async (c) => {
    const rows = await (await loadTable(c, 'wrike_staging.staging_tasks')).scan().toRows();
    return rows.map((r) =>
      Object.fromEntries(Object.entries(r).filter(([k]) => !INGEST.includes(k))),
    ) as CanonicalRow[];
  });
}

beforeAll(async () => {
  interopAvailable();
  sim = await startWrikeSimulator({ tasks: 3000, rateLimit: false, seed: 30 });
  nightly = tempProject(sim, sim.permanentToken ?? 'sim-permanent-token');
  nightly.writeConfig(tasksItem(sim, 500));
  fresh = tempProject(sim, sim.permanentToken ?? 'sim-permanent-token');
  fresh.writeConfig(tasksItem(sim, 500));
});
afterAll(async () => {
  await sim?.close();
  nightly?.cleanup();
  fresh?.cleanup();
  rmSync(out, { recursive: true, force: true });
});

describe('30 nightly INCREMENTAL MERGE runs, then maintenance', () => {
  it(
    'equals a fresh FULL load of the simulator, and PyIceberg and Spark read the same rows',
    async () => {
      await run(nightly);
      let deleteFiles = 0;
      for (let day = 1; day <= 30; day++) {
        sim.advanceClock(DAY);
        await run(nightly);
        const s = await withProjectCatalog(nightly.dir, async (c) =>
          (await loadTable(c, 'wrike_staging.staging_tasks')).currentSnapshot(),
        );
        deleteFiles = Number(s!.summary['total-delete-files'] ?? '0');
      }
      // Merge-on-read left delete files behind; maintenance folds them away.
      expect(deleteFiles).toBeGreaterThan(0);
      const before = canonicalSet(await content(nightly));
      await withProjectCatalog(nightly.dir, async (c) => {
        const t = await loadTable(c, 'wrike_staging.staging_tasks');
        const r = await maintainTable(t, {
          expire: { maxSnapshotAgeMs: 0, retainLast: 1 },
          orphans: { minAgeMs: 0 },
        });
        expect(r.compact?.snapshotId).toBeDefined();
        await t.refresh();
        const s = t.currentSnapshot()!;
        expect(s.summary['total-delete-files']).toBe('0');
        expect(t.snapshots().length).toBe(1);
      });
      const after = await content(nightly);
      expect(canonicalSet(after)).toEqual(before);

      // A fresh FULL load of the same simulator state: every id, every column.
      await run(fresh, ['--LOAD_TYPE', 'FULL']);
      const full = await content(fresh);
      let truth = 0;
      for await (const _ of sim.records('tasks')) truth++;
      expect(full.length).toBe(truth);
      expect(canonicalSet(after)).toEqual(canonicalSet(full));

      // Independent readers of the maintained table.
      const expected = join(out, 'tasks.jsonl');
      writeExpectedJsonl(
        expected,
        await withProjectCatalog(
          nightly.dir,
          async (c) =>
            (await (await loadTable(c, 'wrike_staging.staging_tasks')).scan().toRows()) as CanonicalRow[],
        ),
      );
      const verified = await runVerify({
        catalog: {
          name: 'floe',
          db: join(nightly.dir, '.floe', 'catalog.db'),
          warehouse: join(nightly.dir, 'warehouse'),
        },
        engines: ['pyiceberg', 'spark'],
        tables: [{ identifier: 'wrike_staging.staging_tasks', expected_rows: expected }],
      });
      expect(describeFailures(verified)).toBe('');
    },
    INTEROP_TIMEOUT_MS,
  );
});
