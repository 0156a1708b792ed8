/**
 * The project the crash and concurrency tests run: three configs over Wrike tasks, one per write
 * mode (INCREMENTAL APPEND, FULL OVERWRITE, INCREMENTAL MERGE), each into its own table, and
 * the expected table contents computed from the simulator's ground truth.
 */
import type { WrikeSimulator } from '../../src/sim/wrike/index.js';
import { l1Item } from './l1-project.js';

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
  return `${String(r.id)}|${String(r.updated_date ?? r.updatedDate)}|${String(r.title)}`;
}

export async function simTruth(sim: WrikeSimulator): Promise<string[]> {
  const out: string[] = [];
  for await (const t of sim.records('tasks')) out.push(versionKey(t as Record<string, unknown>));
  return out;
}
