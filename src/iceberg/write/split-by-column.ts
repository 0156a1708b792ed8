/**
 * Rows split into one scratch folder per value of an integer column (`dir/column=k/*.parquet`,
 * lz4, without the column), streaming, in bounded memory whatever the number of values: the key
 * ranges of a sorted write (sorted-write.ts) and the partitions of a partitioned write
 * (partitioned-write.ts).
 *
 * DuckDB's `COPY … PARTITION_BY` buffers per value it writes to, and that is not bounded by its
 * memory limit's spilling: 2M 20-column rows (merge-data.ts's) split 16 ways peaked at 271 MB
 * resident, 32 ways at 354 MB, 64 ways at 525 MB, and 300 or 1,000 ways ran out of memory at
 * once at the 256 MB default. With fewer open files than values it closes and reopens files
 * (64 values, 16 open: 11,130 files, 11 s against 4.5 s for 16). So a pass never splits more than
 * FANOUT ways: more values are split in levels, first into FANOUT groups of consecutive values,
 * then each group on its own (1,000 partitions: three passes of 16-way splits).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Duck,
  releaseFreedMemory,
  sqlIdent,
  sqlString,
  withSessionSettings,
} from '../../duck/session.js';

/** Most folders one pass writes to (and files it keeps open). */
const FANOUT = 16;
/**
 * The pass's session settings: rows a thread holds before writing them to their folders, and
 * files it keeps open (each open file buffers its row group, cut at GROUP_BYTES). At 200 ranges
 * (5M Wrike tasks) one pass peaked at 450 MB resident with DuckDB's defaults (524,288 rows, 100
 * files, 1 MB groups), 381–405 MB with 8,192 rows and 32 files, and 315–373 MB with 16 files and
 * 128 KB groups.
 */
const SETTINGS = {
  partitioned_write_flush_threshold: '8192',
  partitioned_write_max_open_files: String(FANOUT),
};
const GROUP_BYTES = '128KB';
const GROUP_COLUMN = '__floe_group';

/**
 * Writes the rows of `sql`, whose `column` holds integers in [lo, hi), to `dir/column=k/`.
 * Returns how many rows.
 */
export async function splitByColumn(
  duck: Duck,
  /**
   * The rows, as one SELECT or as several (chunks of a large input, each split in a pass of its
   * own: a pass's memory grew with the rows it wrote, 5M Wrike tasks split 16 ways in one pass
   * peaked at 479 MB resident, where 312k rows split 12 ways took 280 MB).
   */
  sql: string | readonly string[],
  dir: string,
  column: string,
  lo: number,
  hi: number,
): Promise<number> {
  const parts = typeof sql === 'string' ? [sql] : sql;
  if (hi - lo <= FANOUT) return splitOnce(duck, parts, dir, column);
  // Values lo + g*per … lo + (g+1)*per - 1 go to group g, each group then split again.
  const per = Math.ceil((hi - lo) / FANOUT);
  const groups = `${dir}-groups-${lo}-${hi}`;
  try {
    const rows = await splitOnce(
      duck,
      parts.map(
        (part) =>
          `SELECT *, ((${sqlIdent(column)} - ${lo}) // ${per})::INTEGER AS ${GROUP_COLUMN} FROM (${part})`,
      ),
      groups,
      GROUP_COLUMN,
    );
    for (let g = 0; g < FANOUT; g++) {
      const folder = join(groups, `${GROUP_COLUMN}=${g}`);
      const files = await parquetIn(folder);
      if (files.length === 0) continue;
      const source = `SELECT * FROM read_parquet([${files.map(sqlString).join(', ')}], hive_partitioning = false)`;
      await splitByColumn(duck, source, dir, column, lo + g * per, Math.min(hi, lo + (g + 1) * per));
      await rm(folder, { recursive: true, force: true });
    }
    return rows;
  } finally {
    await rm(groups, { recursive: true, force: true });
  }
}

/**
 * One pass per part, at most FANOUT folders each. `dir` may already hold other values' folders (a
 * level's other groups, or an earlier part's): each pass writes to a folder of its own, whose
 * value folders then move into `dir` (their files, under names of their own, where the value's
 * folder is already there).
 */
async function splitOnce(duck: Duck, parts: readonly string[], dir: string, column: string): Promise<number> {
  let rows = 0;
  for (const [i, sql] of parts.entries()) {
    const into = `${dir}-${Math.random().toString(36).slice(2)}`;
    try {
      const [r] = await withSessionSettings(duck, SETTINGS, () =>
        duck.json(
          `COPY (${sql}) TO ${sqlString(into)} (FORMAT parquet, COMPRESSION lz4_raw, PARTITION_BY (${sqlIdent(column)}), ROW_GROUP_SIZE_BYTES '${GROUP_BYTES}')`,
        ),
      );
      const n = Number(r?.Count ?? 0);
      rows += n;
      // What the pass's buffers held goes back before the next pass or step allocates.
      await releaseFreedMemory(duck);
      if (n === 0) continue;
      await mkdir(dir, { recursive: true });
      for (const v of await readdir(into)) {
        const to = join(dir, v);
        if (!existsSync(to)) await rename(join(into, v), to);
        else
          for (const f of await readdir(join(into, v)))
            await rename(join(into, v, f), join(to, `part${i}-${f}`));
      }
    } finally {
      await rm(into, { recursive: true, force: true });
    }
  }
  return rows;
}

/** The Parquet files of a folder; none when it does not exist (no row had that value). */
async function parquetIn(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder)).filter((f) => f.endsWith('.parquet')).map((f) => join(folder, f));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
