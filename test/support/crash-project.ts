/**
 * The project the crash and concurrency tests run: three configs over Wrike tasks, one per write
 * mode (INCREMENTAL APPEND, FULL OVERWRITE, INCREMENTAL MERGE), each into its own table, and
 * the expected table contents computed from the simulator's ground truth.
 */
import { parseJobParams } from '../../src/config/job-params.js';
import { loadTable } from '../../src/iceberg/index.js';
import { type JobOptions, runJob } from '../../src/job/run-job.js';
import type { WrikeSimulator } from '../../src/sim/wrike/index.js';
import { JOB_CHILD, runTs } from './child.js';
import { l1Item, withProjectCatalog } from './l1-project.js';

export const CRASH_TABLES = {
  append: 'wrike_staging.tasks_append',
  overwrite: 'wrike_staging.tasks_overwrite',
  merge: 'wrike_staging.tasks_merge',
} as const;

export function crashConfigs(sim: WrikeSimulator, pageSize = 250): Record<string, unknown>[] {
  const paginate = (item: Record<string, unknown>) => {
    ((item.source as Record<string, unknown>).pagination as Record<string, unknown>).pageSize = pageSize;
    return item;
  };
  return [
    paginate(
      l1Item(sim, {
        configId: 'Tasks_Append',
        object: 'tasks',
        path: '/tasks',
        table: 'tasks_append',
        writeMode: 'APPEND',
        loadType: 'INCREMENTAL',
        paginated: true,
        incremental: true,
      }),
    ),
    paginate(
      l1Item(sim, {
        configId: 'Tasks_Overwrite',
        object: 'tasks',
        path: '/tasks',
        table: 'tasks_overwrite',
        writeMode: 'OVERWRITE',
        loadType: 'FULL',
        paginated: true,
      }),
    ),
    paginate(
      l1Item(sim, {
        configId: 'Tasks_Merge',
        object: 'tasks',
        path: '/tasks',
        table: 'tasks_merge',
        writeMode: 'MERGE',
        loadType: 'INCREMENTAL',
        paginated: true,
        incremental: true,
      }),
    ),
  ];
}

/** One record version as the tests compare it: id, update time and title (titles change per revision). */
export function versionKey(r: Record<string, unknown>): string {
  return `${String(r.id)}|${instant(r.updated_date ?? r.updatedDate)}|${String(r.title)}`;
}

/**
 * A time as one text whether it is the API's ISO-8601 string or the table's timestamptz (ISO
 * date-times are detected as timestamptz columns), so the two compare.
 */
export function instant(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(v)) {
    const ms = Date.parse(v);
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  return String(v);
}

export async function simTruth(sim: WrikeSimulator): Promise<string[]> {
  const out: string[] = [];
  for await (const t of sim.records('tasks')) out.push(versionKey(t as Record<string, unknown>));
  return out;
}

/** The project's Wrike L1 job in this process, its log captured; `now` is the sources' clock. */
export async function runWrikeL1(
  dir: string,
  opts: Pick<JobOptions, 'now' | 'onProgress'> = {},
): Promise<Awaited<ReturnType<typeof runJob>> & { log: string }> {
  let log = '';
  const out = await runJob(
    parseJobParams(['--project', dir, '--platform', 'wrike', '--process-type', 'L1'], {}),
    {
      ...(opts.now ? { now: opts.now } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      logStream: {
        write: (s: string) => {
          log += s;
          return true;
        },
      },
    },
  );
  return { ...out, log };
}

/** The same job in a child process killed at `failpoint`; the signal it died of. */
export async function killedWrikeL1(dir: string, failpoint: string): Promise<NodeJS.Signals | null> {
  return (await runTs(JOB_CHILD, [dir], { FLOE_FAILPOINT: failpoint })).signal;
}

/** Every row of `table` as a version key (id, update time, title). */
export async function tableVersions(dir: string, table: string): Promise<string[]> {
  return withProjectCatalog(dir, async (c) =>
    (await (await loadTable(c, table)).scan({ select: ['id', 'updated_date', 'title'] }).toRows()).map(
      versionKey,
    ),
  );
}
