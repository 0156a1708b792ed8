/**
 * Acceptance for L2 on the Wrike simulator: `PROCESS_TYPE both` builds the L1 tables and the
 * refined projects, tasks and timelog_daily tables, whose contents equal the same joins computed
 * here from the simulator's ground truth (not with the parsers' SQL). After the simulator's clock
 * moves and L1 runs again, the INCREMENTAL L2 run reads only what the L1 tables gained, rewrites
 * exactly the rows whose content changed, and ends equal to a FULL run (which then finds nothing
 * to change).
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobParams } from '../../src/config/job-params.js';
import { scaffoldProject } from '../../src/connectors/scaffold.js';
import { loadTable, SqlCatalog } from '../../src/iceberg/index.js';
import { type JobOutcome, runJob } from '../../src/job/run-job.js';
import type { L2Result } from '../../src/l2/process-config.js';
import { SqliteHistoryStore } from '../../src/runtime/local/sqlite-history.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import {
  byKey,
  changedKeys,
  expectedProjects,
  expectedTasks,
  expectedTimelogDaily,
  type Row,
  type WrikeTruth,
  wrikeTruth,
} from '../support/wrike-l2-expected.js';

const dir = mkdtempSync(join(tmpdir(), 'floe-l2-wrike-'));
let sim: WrikeSimulator;

const TABLES = {
  projects: { keys: ['project_id'], expected: expectedProjects },
  tasks: { keys: ['task_id'], expected: expectedTasks },
  timelog_daily: { keys: ['user_id', 'project_id', 'work_date'], expected: expectedTimelogDaily },
} as const;
type TableName = keyof typeof TABLES;

async function run(processType: string, extra: string[] = []): Promise<JobOutcome> {
  return runJob(
    parseJobParams(['--project', dir, '--platform', 'wrike', '--process-type', processType, ...extra], {}),
    { logStream: { write: () => true }, now: () => sim.now() },
  );
}

async function tableRows(name: TableName): Promise<Row[]> {
  const c = new SqlCatalog({
    name: 'floe',
    path: join(dir, '.floe', 'catalog.db'),
    warehouse: join(dir, 'warehouse'),
  });
  try {
    return await (await loadTable(c, `wrike_refined.${name}`)).scan().toRows();
  } finally {
    await c.close();
  }
}

function l2(out: JobOutcome, configId: string): L2Result {
  const r = out.results.find((x) => x.configId === configId && x.processType === 'L2');
  expect(r, `no L2 result for ${configId}`).toBeDefined();
  return r as L2Result;
}

const CONFIG: Record<TableName, string> = {
  projects: 'wrike_projects_l2',
  tasks: 'wrike_tasks_l2',
  timelog_daily: 'wrike_timelog_daily_l2',
};

let first: WrikeTruth;
let firstOut: JobOutcome;
/** The ground truth the second L1 run read. */
let second: WrikeTruth;

beforeAll(async () => {
  sim = await startWrikeSimulator({ tasks: 1200, seed: 11, rateLimit: false });
  await scaffoldProject({ dir, baseUrl: sim.origin, force: true });
  first = await wrikeTruth(sim);
  firstOut = await run('both');
});

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('L2 on the Wrike simulator', () => {
  it('PROCESS_TYPE both builds the L1 tables, then projects, tasks and timelog_daily equal to the ground truth', async () => {
    expect(firstOut.results.filter((r) => r.status !== 'SUCCESS')).toEqual([]);
    expect(firstOut.results.filter((r) => r.processType === 'L1')).toHaveLength(9);
    expect(
      firstOut.results
        .filter((r) => r.processType === 'L2')
        .map((r) => r.configId)
        .sort(),
    ).toEqual([...Object.values(CONFIG), 'example_open_tasks'].sort());
    for (const [name, t] of Object.entries(TABLES) as [TableName, (typeof TABLES)[TableName]][]) {
      const rows = await tableRows(name);
      const expected = t.expected(first);
      expect(rows.length, name).toBe(expected.length);
      expect(byKey(rows, t.keys), name).toEqual(byKey(expected, t.keys));
      expect(l2(firstOut, CONFIG[name]).records).toBe(expected.length);
    }
    // The seed's history shape, processType L2, with the snapshot written.
    const history = new SqliteHistoryStore(join(dir, '.floe', 'state.db'));
    try {
      const h = await history.list({ processType: 'L2' });
      expect(h.map((x) => x.configId).sort()).toEqual(
        [...Object.values(CONFIG), 'example_open_tasks'].sort(),
      );
      for (const x of h) {
        expect(x.lastRunStatus).toBe('SUCCESS');
        expect(x.snapshot_id).toMatch(/^\d+$/);
        expect(x['job-id']).toBe(firstOut.runId);
      }
    } finally {
      history.close();
    }
  });

  it('an INCREMENTAL run after the clock moves touches only the changed rows and ends equal to a FULL run', async () => {
    const before = Object.fromEntries(
      (Object.keys(TABLES) as TableName[]).map((n) => [n, byKey(TABLES[n].expected(first), TABLES[n].keys)]),
    ) as Record<TableName, Map<string, Row>>;
    sim.advanceClock(36 * 3600_000);
    const truth = await wrikeTruth(sim);
    second = truth;
    const newTasks = truth.tasks.length - first.tasks.length;
    expect(newTasks).toBeGreaterThan(0);
    const out = await run('both');
    expect(out.results.filter((r) => r.status !== 'SUCCESS')).toEqual([]);

    // Tasks: the source read holds only the tasks that are new or changed in L1.
    const firstTasks = new Map(first.tasks.map((t) => [String(t.id), JSON.stringify(t)]));
    const l1Changed = truth.tasks.filter((t) => firstTasks.get(String(t.id)) !== JSON.stringify(t)).length;
    const tasksRun = l2(out, CONFIG.tasks);
    expect(tasksRun.loadType).toBe('INCREMENTAL');
    expect(tasksRun.sources?.find((s) => s.name === 'tasks')).toMatchObject({
      mode: 'SNAPSHOT',
      rows: l1Changed,
    });
    expect(l1Changed).toBeLessThan(truth.tasks.length / 2);

    for (const name of Object.keys(TABLES) as TableName[]) {
      const t = TABLES[name];
      const after = byKey(t.expected(truth), t.keys);
      const rows = await tableRows(name);
      expect(byKey(rows, t.keys), name).toEqual(after);
      // Exactly the rows whose content changed carry this run's id.
      const touched = rows
        .filter((r) => r.ingest_run_id === out.runId)
        .map((r) => t.keys.map((k) => String(r[k])).join('|'))
        .sort();
      const changed = changedKeys(before[name], after);
      expect(changed.length, name).toBeGreaterThan(0);
      expect(changed.length, name).toBeLessThan(after.size);
      expect(touched, name).toEqual(changed);
      expect(l2(out, CONFIG[name]).written, name).toBe(changed.length);
    }

    // A FULL run over the same L1 tables produces the same rows: MERGE finds nothing to change.
    const full = await run('L2', ['--load-type', 'FULL']);
    for (const name of Object.keys(TABLES) as TableName[]) {
      const r = l2(full, CONFIG[name]);
      expect(r.status, name).toBe('SUCCESS');
      expect(r.loadType, name).toBe('FULL');
      expect(
        r.sources?.every((s) => s.mode === 'FULL'),
        name,
      ).toBe(true);
      expect(r.written, name).toBe(0);
    }
  });

  it('an INCREMENTAL run with no new L1 snapshot reads and writes nothing, unless its parser depends on the clock', async () => {
    const out = await run('L2');
    for (const id of [CONFIG.tasks, CONFIG.timelog_daily]) {
      const r = l2(out, id);
      expect(r.status).toBe('SUCCESS');
      expect(r.records).toBe(0);
      expect(r.snapshotId).toBeUndefined();
    }
    // project_parser's lateness moves with the clock: it runs, reads no source change, and (the
    // clock has not moved) rewrites nothing.
    const projects = l2(out, CONFIG.projects);
    expect(projects.sources?.every((s) => s.rows === 0)).toBe(true);
    expect(projects.written).toBe(0);
    sim.advanceClock(10 * 24 * 3600_000);
    const later = l2(await run('L2'), CONFIG.projects);
    expect(later.sources?.every((s) => s.rows === 0)).toBe(true);
    expect(later.written).toBeGreaterThan(0);
    // The L1 tables are as the last L1 run left them; "today" is the new clock.
    expect(byKey(await tableRows('projects'), ['project_id'])).toEqual(
      byKey(expectedProjects({ ...second, asOf: sim.now() }), ['project_id']),
    );
  });
});

describe('the seed’s L2 item', () => {
  it('runs as it is (DynamoDB typed JSON, wrike_projects_l2 with project_parser) on the seed’s namespace', async () => {
    const seedDir = mkdtempSync(join(tmpdir(), 'floe-l2-seed-'));
    try {
      await scaffoldProject({ dir: seedDir, baseUrl: sim.origin, namespace: 'wrike_test', force: true });
      // Only the seed's item in configs/l2 (the pack's project config has the same configId).
      for (const f of [
        'wrike-projects.yaml',
        'wrike-tasks.yaml',
        'wrike-timelog_daily.yaml',
        'wrike-example-open-tasks.yaml',
      ])
        writeFileSync(join(seedDir, 'configs', 'l2', f), '[]');
      copyFileSync(
        new URL('../fixtures/seed/wrike-projects.l2.dynamodb.json', import.meta.url).pathname,
        join(seedDir, 'configs', 'l2', 'seed-projects.json'),
      );
      const truth = await wrikeTruth(sim);
      const out = await runJob(
        parseJobParams(['--project', seedDir, '--platform', 'wrike', '--process-type', 'both'], {}),
        { logStream: { write: () => true }, now: () => sim.now() },
      );
      const r = l2(out, 'wrike_projects_l2');
      expect(r).toMatchObject({ status: 'SUCCESS', table: 'wrike_test.projects', loadType: 'FULL' });
      const c = new SqlCatalog({
        name: 'floe',
        path: join(seedDir, '.floe', 'catalog.db'),
        warehouse: join(seedDir, 'warehouse'),
      });
      try {
        const rows = await (await loadTable(c, 'wrike_test.projects')).scan().toRows();
        // No workflows or spaces among the seed's sources: no status names, paths without the space.
        const expected = expectedProjects(truth, { workflows: false, spaces: false });
        expect(byKey(rows, ['project_id'])).toEqual(byKey(expected, ['project_id']));
      } finally {
        await c.close();
      }
    } finally {
      rmSync(seedDir, { recursive: true, force: true });
    }
  });
});
