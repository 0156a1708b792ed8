/**
 * Position deletes (Iceberg v2 delete files, content 1): a Parquet file of (file_path, pos) rows,
 * sorted by path then position, each marking one row of a data file as deleted. Merge-on-read
 * MERGE writes them instead of rewriting the data files that hold replaced rows.
 *
 * floe writes one delete file per data file, scoped to it both ways readers look: the
 * `referenced_data_file` field and exact (untruncated) `file_path` bounds, so a reader of any
 * other data file skips it without opening it. Never equality deletes: PyIceberg and Athena
 * cannot apply them.
 */
import { randomUUID } from 'node:crypto';
import { copyToParquet, type WrittenParquet } from '../../duck/parquet.js';
import { type Duck, sqlIdent, sqlString } from '../../duck/session.js';
import type { FileIO } from '../io/file-io.js';
import { uriToPath } from '../io/local.js';
import { parquetSource } from '../read/nested-ids.js';
import { serializeBound } from '../spec/bounds.js';
import type { DataFile } from '../spec/manifest.js';
import type { NameMappingEntry } from '../spec/schema.js';
import type { PrimitiveType } from '../spec/types.js';
import { failpoint } from '../util/failpoint.js';

/** Reserved field ids of a position delete file's columns (spec: Reserved Field IDs). */
export const DELETE_FILE_PATH_ID = 2147483546;
export const DELETE_POS_ID = 2147483545;

export interface KeyColumn {
  readonly name: string;
  readonly id: number;
  readonly type: PrimitiveType;
}

/**
 * Whether delete file `d` may hold positions of data file `dataPath`: not when it names another
 * file (`referenced_data_file`) or its file_path bounds exclude the path. Bounds of a delete file
 * written by another engine may be truncated; a truncated lower bound is still a lower bound, and
 * an upper bound is only trusted when it is not a prefix of the path.
 */
export function deleteMayApply(d: DataFile, dataPath: string): boolean {
  if (d.referenced_data_file != null) return d.referenced_data_file === dataPath;
  const lower = d.lower_bounds?.find((kv) => kv.key === DELETE_FILE_PATH_ID)?.value;
  const upper = d.upper_bounds?.find((kv) => kv.key === DELETE_FILE_PATH_ID)?.value;
  const path = Buffer.from(dataPath, 'utf8');
  if (lower && Buffer.compare(Buffer.from(lower), path) > 0) return false;
  if (upper) {
    const u = Buffer.from(upper);
    const prefix = u.length <= path.length && Buffer.compare(u, path.subarray(0, u.length)) === 0;
    if (!prefix && Buffer.compare(u, path) < 0) return false;
  }
  return true;
}

/** The only data file a delete file applies to, if it is scoped to one (as floe writes them). */
export function deleteTarget(d: DataFile): string | undefined {
  if (d.referenced_data_file != null) return d.referenced_data_file;
  const lower = d.lower_bounds?.find((kv) => kv.key === DELETE_FILE_PATH_ID)?.value;
  const upper = d.upper_bounds?.find((kv) => kv.key === DELETE_FILE_PATH_ID)?.value;
  // Equal bounds are the path itself only if not truncated; a truncated bound is shorter than
  // any path it was cut from, so equal bounds that are a whole path name that path.
  if (lower && upper && Buffer.compare(Buffer.from(lower), Buffer.from(upper)) === 0) {
    return Buffer.from(lower).toString('utf8');
  }
  return undefined;
}

/** The ways a delete file may spell a data file's URI ("file:/x", "file:///x", "/x"). */
function pathSpellings(uri: string): string[] {
  const out = new Set([uri]);
  try {
    const p = uriToPath(uri);
    out.add(p);
    out.add(`file:${p}`);
    out.add(`file://${p}`);
  } catch {
    // Not a local URI (s3://…): delete files spell it as the manifest does.
  }
  return [...out];
}

/**
 * SQL (a `NOT IN` clause on `d.file_row_number`, or '' when there are none) excluding the rows of
 * data file `uri` that the delete files at `deletePaths` (local copies) already delete.
 */
export function excludeDeletedSql(uri: string, deletePaths: readonly string[]): string {
  if (deletePaths.length === 0) return '';
  const spellings = pathSpellings(uri).map(sqlString).join(', ');
  return `d.file_row_number NOT IN (SELECT pos FROM read_parquet([${deletePaths.map(sqlString).join(', ')}]) WHERE file_path IN (${spellings}))`;
}

/**
 * A data file's key columns (by field id, or by the name mapping for a file without ids) with
 * row positions.
 */
function keyColumnsSource(
  duck: Duck,
  path: string,
  keys: readonly KeyColumn[],
  mapping: readonly NameMappingEntry[] | undefined,
): Promise<string> {
  return parquetSource(duck, [path], keys, ', file_row_number = true', mapping);
}

export interface PositionDeletes {
  /** Live rows of the data file the delete file marks. */
  readonly matched: bigint;
  /** The delete file, when any row matched. */
  readonly file?: DataFile;
}

/**
 * Writes a position delete file for the live rows of data file `f` whose key is in `keysTable`
 * (rows already deleted by `existingDeletes` are not matched again). Reads only the key columns
 * and row positions of `f`; DuckDB streams the file, so memory does not grow with it.
 */
export async function writeKeyDeletes(
  io: FileIO,
  duck: Duck,
  f: DataFile,
  existingDeletes: readonly DataFile[],
  keysTable: string,
  keys: readonly KeyColumn[],
  /** The table's name mapping (files without field ids). */
  mapping?: readonly NameMappingEntry[],
): Promise<PositionDeletes> {
  const on = keys.map((k) => `k.${sqlIdent(k.name)} = d.${sqlIdent(k.name)}`).join(' AND ');
  return writePositionDeletes(
    io,
    duck,
    f,
    existingDeletes,
    async (data, exclude) =>
      `SELECT d.file_row_number AS pos FROM ${await keyColumnsSource(duck, data, keys, mapping)} d SEMI JOIN ${keysTable} k ON ${on}${exclude ? ` WHERE ${exclude}` : ''}`,
  );
}

/**
 * Writes a position delete file for the live rows of data file `f` that `positions` selects:
 * given the local path of `f` and a condition excluding rows already deleted ('' when none), it
 * returns a query of `pos` (the row's `file_row_number`, read with `d` as the alias).
 */
export async function writePositionDeletes(
  io: FileIO,
  duck: Duck,
  f: DataFile,
  existingDeletes: readonly DataFile[],
  positions: (dataPath: string, excludeDeleted: string) => string | Promise<string>,
): Promise<PositionDeletes> {
  return withLiveRows(io, f, existingDeletes, async (data, exclude) => {
    const select = `SELECT ${sqlString(f.file_path)} AS file_path, pos FROM (${await positions(data, exclude)}) ORDER BY pos`;
    const dir = f.file_path.slice(0, f.file_path.lastIndexOf('/'));
    const uri = `${dir}/${randomUUID()}-deletes.parquet`;
    const staged = await io.stageWrite(uri);
    try {
      const written = await copyToParquet(duck, select, staged.localPath, {
        file_path: DELETE_FILE_PATH_ID,
        pos: DELETE_POS_ID,
      });
      if (written.rowCount === 0n) {
        await staged.discard();
        return { matched: 0n };
      }
      const size = await staged.publish();
      failpoint('iceberg.merge-deletes');
      return { matched: written.rowCount, file: deleteFileOf(uri, size, f, written) };
    } catch (e) {
      await staged.discard().catch(() => {});
      throw e;
    }
  });
}

/**
 * Runs `fn` with a local copy of data file `f` and the SQL condition (over `d.file_row_number`,
 * '' when there are none) excluding the rows its delete files delete; releases the copies after.
 */
export async function withLiveRows<T>(
  io: FileIO,
  f: DataFile,
  deletes: readonly DataFile[],
  fn: (dataPath: string, excludeDeleted: string) => Promise<T>,
): Promise<T> {
  const copies: { path: string; release(): Promise<void> }[] = [];
  try {
    const data = await io.localCopy(f.file_path);
    copies.push(data);
    for (const d of deletes) copies.push(await io.localCopy(d.file_path));
    const exclude = excludeDeletedSql(
      f.file_path,
      copies.slice(1).map((c) => c.path),
    );
    return await fn(data.path, exclude);
  } finally {
    await Promise.all(copies.map((c) => c.release()));
  }
}

function deleteFileOf(uri: string, size: number, f: DataFile, written: WrittenParquet): DataFile {
  const pos = written.columns.get('pos');
  const pathBound = Buffer.from(f.file_path, 'utf8');
  const n = written.rowCount;
  return {
    content: 1,
    file_path: uri,
    file_format: 'PARQUET',
    partition: f.partition,
    record_count: n,
    file_size_in_bytes: BigInt(size),
    column_sizes: [
      { key: DELETE_FILE_PATH_ID, value: written.columns.get('file_path')?.sizeBytes ?? 0n },
      { key: DELETE_POS_ID, value: pos?.sizeBytes ?? 0n },
    ],
    value_counts: [
      { key: DELETE_FILE_PATH_ID, value: n },
      { key: DELETE_POS_ID, value: n },
    ],
    null_value_counts: [
      { key: DELETE_FILE_PATH_ID, value: 0n },
      { key: DELETE_POS_ID, value: 0n },
    ],
    lower_bounds: [
      { key: DELETE_FILE_PATH_ID, value: pathBound },
      { key: DELETE_POS_ID, value: Buffer.from(serializeBound('long', BigInt(pos?.min ?? '0'))) },
    ],
    upper_bounds: [
      { key: DELETE_FILE_PATH_ID, value: pathBound },
      { key: DELETE_POS_ID, value: Buffer.from(serializeBound('long', BigInt(pos?.max ?? '0'))) },
    ],
    split_offsets: written.splitOffsets,
    sort_order_id: null,
    referenced_data_file: f.file_path,
  };
}

/** How MERGE changes rows of existing data files: Iceberg's `write.merge.mode`. */
export type MergeMode = 'merge-on-read' | 'copy-on-write';

/**
 * The table's merge mode. floe defaults to merge-on-read (Iceberg's own default is copy-on-write):
 * a nightly upsert then costs what changed, not the size of the files the changed rows sit in.
 */
export function mergeMode(properties: Record<string, string>): MergeMode {
  const v = properties['write.merge.mode'];
  return v === 'copy-on-write' ? 'copy-on-write' : 'merge-on-read';
}

/** How DELETE changes rows of existing data files: Iceberg's `write.delete.mode` (same default). */
export function deleteMode(properties: Record<string, string>): MergeMode {
  return properties['write.delete.mode'] === 'copy-on-write' ? 'copy-on-write' : 'merge-on-read';
}
