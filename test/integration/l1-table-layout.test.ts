/**
 * Table layout from L1 configs, end to end against the Wrike simulator: icebergOptimizations
 * partitionSpec + sortOrder + targetFileSizeBytes create a partitioned, sorted table whose files
 * roll at the target; a MERGE table is sorted by its primary key unless its config says otherwise;
 * a layout the table's columns refuse fails the config, naming the field. And a local run's DuckDB spills into
 * the project's `.floe/tmp`, where dead processes' spill folders are removed.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobParams } from '../../src/config/job-params.js';
import { sqlString, withDuck } from '../../src/duck/session.js';
import { loadTable } from '../../src/iceberg/index.js';
import { openLocalProfile } from '../../src/job/local-profile.js';
import { runJob } from '../../src/job/run-job.js';
import { deadRuns } from '../../src/runtime/local/run-scratch.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import {
  l1Item,
  type TempProject,
  tasksItem,
  tempProject,
  withProjectCatalog,
} from '../support/l1-project.js';

let sim: WrikeSimulator;
let project: TempProject;
const silent = { write: () => true };
const TARGET = 16 * 1024;

async function run(configId: string) {
  return runJob(
    parseJobParams(
      ['--project', project.dir, '--platform', 'wrike', '--config-id', configId, '--process-type', 'L1'],
      {},
    ),
    { logStream: silent, now: () => sim.now() },
  );
}

function withLayout(item: Record<string, unknown>, layout: Record<string, unknown>) {
  const d = item.destination as Record<string, unknown>;
  d.icebergOptimizations = { ...(d.icebergOptimizations as object), ...layout };
  return item;
}

beforeAll(async () => {
  sim = await startWrikeSimulator({ tasks: 3000, rateLimit: false, seed: 11 });
  project = tempProject(sim, sim.permanentToken ?? 'sim-permanent-token');
});
afterAll(async () => {
  await sim?.close();
  project?.cleanup();
});

describe('L1 table layout from icebergOptimizations', () => {
  it('partitionSpec + sortOrder + targetFileSizeBytes create a partitioned, sorted table with rolled files', async () => {
    project.writeConfig(
      withLayout(
        l1Item(sim, {
          configId: 'Tasks_Layout',
          object: 'tasks',
          path: '/tasks',
          table: 'tasks_layout',
          writeMode: 'APPEND',
          paginated: true,
        }),
        {
          partitionSpec: ['bucket(2, status)'],
          sortOrder: ['updatedDate desc', 'id'],
          targetFileSizeBytes: TARGET,
        },
      ),
    );
    const out = await run('Tasks_Layout');
    expect(out.results[0]!.status, out.results[0]!.error).toBe('SUCCESS');
    await withProjectCatalog(project.dir, async (catalog) => {
      const t = await loadTable(catalog, 'wrike_staging.tasks_layout');
      const byName = (id: number) => t.schema().fields.find((f) => f.id === id)!.name;
      expect(t.spec().fields.map((f) => [byName(f['source-id']), f.transform])).toEqual([
        ['status', 'bucket[2]'],
      ]);
      const order = t.sortOrder();
      expect(order.fields.map((f) => [byName(f['source-id']), f.direction, f['null-order']])).toEqual([
        ['updated_date', 'desc', 'nulls-last'],
        ['id', 'asc', 'nulls-first'],
      ]);
      expect(t.metadata.properties['write.target-file-size-bytes']).toBe(String(TARGET));
      const files = (await t.scan().plan()).tasks.map((x) => x.file);
      const partitions = new Set(files.map((f) => JSON.stringify(f.partition)));
      expect(partitions.size).toBe(2);
      expect(files.length).toBeGreaterThan(partitions.size);
      let rows = 0n;
      for (const f of files) {
        expect(f.sort_order_id).toBe(order['order-id']);
        expect(Number(f.file_size_in_bytes)).toBeLessThanOrEqual(TARGET * 1.1);
        rows += f.record_count;
        const [bad] = await withDuck((d) =>
          d.json(
            `SELECT count(*) FILTER (WHERE pu IS NOT NULL AND (updated_date > pu OR (updated_date = pu AND id < pid)))::INT AS bad
             FROM (SELECT updated_date, id, lag(updated_date) OVER w AS pu, lag(id) OVER w AS pid
                   FROM read_parquet(${sqlString(new URL(f.file_path).pathname)}, file_row_number = true)
                   WINDOW w AS (ORDER BY file_row_number))`,
          ),
        );
        expect(bad!.bad).toBe(0);
      }
      expect(rows).toBe(3000n);
    });
  });

  it('a MERGE table floe creates is sorted by its primary key, in files with disjoint id ranges; sortOrder [] opts out; targetFileSizeBytes is updated on an existing table', async () => {
    // The default: sorted by the primary key. A small target makes the write run range by range
    // (sorted-write.ts) and roll into several files.
    project.writeConfig(withLayout(tasksItem(sim), { targetFileSizeBytes: TARGET }));
    expect((await run('Wrike_Tasks')).results[0]!.status).toBe('SUCCESS');
    await withProjectCatalog(project.dir, async (catalog) => {
      const t = await loadTable(catalog, 'wrike_staging.staging_tasks');
      const id = t.schema().fields.find((f) => f.name === 'id')!.id;
      expect(t.sortOrder().fields).toEqual([
        { transform: 'identity', 'source-id': id, direction: 'asc', 'null-order': 'nulls-first' },
      ]);
      const files = (await t.scan().plan()).tasks.map((x) => x.file);
      expect(files.length).toBeGreaterThanOrEqual(3);
      const ranges: { lo: string; hi: string }[] = [];
      let rows = 0n;
      for (const f of files) {
        expect(f.sort_order_id).toBe(t.sortOrder()['order-id']);
        const [r] = await withDuck((d) =>
          d.json(
            `SELECT min(id) AS lo, max(id) AS hi, count(*)::BIGINT AS n,
                    count(*) FILTER (WHERE p IS NOT NULL AND id <= p)::INT AS bad
             FROM (SELECT id, lag(id) OVER (ORDER BY file_row_number) AS p
                   FROM read_parquet(${sqlString(new URL(f.file_path).pathname)}, file_row_number = true))`,
          ),
        );
        expect(r!.bad).toBe(0);
        ranges.push({ lo: String(r!.lo), hi: String(r!.hi) });
        rows += BigInt(String(r!.n));
      }
      ranges.sort((a, b) => (a.lo < b.lo ? -1 : 1));
      for (let i = 1; i < ranges.length; i++) expect(ranges[i - 1]!.hi < ranges[i]!.lo).toBe(true);
      expect(rows).toBe(3000n);
      expect(t.metadata.properties['write.target-file-size-bytes']).toBe(String(TARGET));
    });
    project.writeConfig(withLayout(tasksItem(sim), { targetFileSizeBytes: 1_000_000 }));
    expect((await run('Wrike_Tasks')).results[0]!.status).toBe('SUCCESS');
    await withProjectCatalog(project.dir, async (catalog) => {
      const t = await loadTable(catalog, 'wrike_staging.staging_tasks');
      expect(t.metadata.properties['write.target-file-size-bytes']).toBe('1000000');
    });

    // `sortOrder: []` keeps a MERGE table unsorted.
    const unsorted = withLayout(tasksItem(sim), { sortOrder: [] });
    unsorted.configId = 'Wrike_Tasks_Unsorted';
    (unsorted.destination as Record<string, unknown>).glueTable = 'staging_tasks_unsorted';
    project.writeConfig(unsorted);
    expect((await run('Wrike_Tasks_Unsorted')).results[0]!.status).toBe('SUCCESS');
    await withProjectCatalog(project.dir, async (catalog) => {
      const t = await loadTable(catalog, 'wrike_staging.staging_tasks_unsorted');
      expect(t.sortOrder().fields).toEqual([]);
      for (const x of (await t.scan().plan()).tasks) expect(x.file.sort_order_id).toBe(0);
    });
  });

  it('a sort or partition column the records lack fails the config, naming the field and the fix', async () => {
    project.writeConfig(
      withLayout(
        l1Item(sim, {
          configId: 'Tasks_Bad',
          object: 'tasks',
          path: '/tasks',
          table: 'tasks_bad',
          writeMode: 'APPEND',
        }),
        { sortOrder: ['noSuchField'] },
      ),
    );
    const bad = await run('Tasks_Bad');
    expect(bad.results[0]!.status).toBe('FAILED');
    expect(bad.results[0]!.error).toMatch(
      /config Tasks_Bad: destination\.icebergOptimizations\.sortOrder\[0\]: sort column "no_such_field" is not in the schema \(fix: /,
    );
    project.writeConfig(
      withLayout(
        l1Item(sim, {
          configId: 'Tasks_Bad',
          object: 'tasks',
          path: '/tasks',
          table: 'tasks_bad',
          writeMode: 'APPEND',
        }),
        { partitionSpec: ['day(title)'] },
      ),
    );
    const badPart = await run('Tasks_Bad');
    expect(badPart.results[0]!.error).toMatch(
      /config Tasks_Bad: destination\.icebergOptimizations\.partitionSpec\[0\]: transform day cannot be applied to column "title"/,
    );
  });
});

describe('DuckDB spill folder of a local run', () => {
  it("is the project's .floe/tmp/floe-duckdb-<pid>; dead processes' spill folders there are removed, not taken for runs", async () => {
    const tmp = join(project.dir, '.floe', 'tmp');
    const dead = join(tmp, 'floe-duckdb-999999999');
    mkdirSync(join(dead, 'x'), { recursive: true });
    expect(deadRuns(tmp, 'none').map((r) => r.runId)).not.toContain('floe-duckdb-999999999');
    const profile = await openLocalProfile(parseJobParams(['--project', project.dir], {}), 'run-spill', {
      logStream: silent,
    });
    try {
      expect(existsSync(dead)).toBe(false);
      const [r] = await withDuck((d) => d.json(`SELECT current_setting('temp_directory') AS t`));
      expect(r!.t).toBe(join(tmp, `floe-duckdb-${process.pid}`));
      // Make DuckDB spill: a sort far beyond a small memory limit.
      await withDuck(async (d) => {
        await d.run(`SET memory_limit = '100MB'`);
        try {
          await d.run(
            `CREATE TEMP TABLE big AS SELECT md5(i::VARCHAR) AS s FROM range(4000000) t(i) ORDER BY s`,
          );
          expect(existsSync(join(tmp, `floe-duckdb-${process.pid}`))).toBe(true);
        } finally {
          await d.run(`RESET memory_limit`);
        }
      });
    } finally {
      await profile.close();
    }
    // The run ended: its DuckDB instance closed and its spill folder went with it.
    expect(existsSync(join(tmp, `floe-duckdb-${process.pid}`))).toBe(false);
    const [after] = await withDuck((d) => d.json(`SELECT current_setting('temp_directory') AS t`));
    expect(String(after!.t)).not.toContain(project.dir);
  });
});
