/**
 * `destination.maintenance.afterRun`: after each nightly MERGE the table is compacted (the run's
 * position deletes applied and dropped, small files merged), so files and delete files do not
 * pile up between `floe table maintain` runs; the rows stay exactly the simulator's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseJobParams } from '../../src/config/job-params.js';
import { loadTable } from '../../src/iceberg/index.js';
import { runJob } from '../../src/job/run-job.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import { versionKey } from '../support/crash-project.js';
import { l1Item, type TempProject, tempProject, withProjectCatalog } from '../support/l1-project.js';

const DAY = 24 * 3600_000;
const TABLE = 'wrike_staging.tasks_merge';

let sim: WrikeSimulator;
let project: TempProject;
afterEach(async () => {
  await sim?.close();
  project?.cleanup();
});

async function run() {
  return runJob(
    parseJobParams(['--project', project.dir, '--platform', 'wrike', '--process-type', 'L1'], {}),
    { now: () => sim.now(), logStream: { write: () => true } },
  );
}

async function tableFacts() {
  return withProjectCatalog(project.dir, async (c) => {
    const t = await loadTable(c, TABLE);
    const { tasks } = await t.scan().plan();
    const rows = (await t.scan({ select: ['id', 'updated_date', 'title'] }).toRows()).map(versionKey);
    return {
      dataFiles: tasks.length,
      deleteFiles: new Set(tasks.flatMap((k) => k.deletes.map((d) => d.file_path))).size,
      rows,
      operations: t.history().map((s) => String(s.summary.operation)),
    };
  });
}

/** The newest version of each task, as a MERGE table should hold it. */
async function latest(): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const t of sim.records('tasks')) out.add(versionKey(t as Record<string, unknown>));
  return out;
}

describe('maintenance after each run', () => {
  it('nightly MERGE runs with maintenance.afterRun: deletes applied and files merged after every run, rows exact', async () => {
    sim = await startWrikeSimulator({ tasks: 2000, rateLimit: false, seed: 12 });
    project = tempProject(sim, 'sim-permanent-token');
    const item = l1Item(sim, {
      configId: 'Tasks_Merge',
      object: 'tasks',
      path: '/tasks',
      table: 'tasks_merge',
      writeMode: 'MERGE',
      loadType: 'INCREMENTAL',
      paginated: true,
      incremental: true,
    });
    (item.destination as Record<string, unknown>).maintenance = { afterRun: true, minInputFiles: 2 };
    project.writeConfig(item);

    expect((await run()).ok).toBe(true);
    for (let day = 1; day <= 3; day++) {
      sim.advanceClock(DAY);
      const out = await run();
      expect(out.ok).toBe(true);
      expect(out.results[0]!.records).toBeGreaterThan(0);
      const f = await tableFacts();
      // The MERGE wrote position deletes and a new file; maintenance folded them into one file.
      expect(f.operations.at(-1)).toBe('replace');
      expect(f.deleteFiles).toBe(0);
      expect(f.dataFiles).toBe(1);
      expect(f.rows.length).toBe(new Set(f.rows).size);
      expect(new Set(f.rows)).toEqual(await latest());
    }
  }, 180_000);
});
