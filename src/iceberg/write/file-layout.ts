/**
 * How a write lays its rows out in files: sorted by the table's default sort order, and cut into
 * files of about `write.target-file-size-bytes`. Sorted, size-bounded files give each file a
 * narrow key range, so MERGE (which prunes candidate files by their key bounds) and readers
 * (which prune by column bounds) open fewer files.
 *
 * The rows of an unpartitioned write, or of one partition (writeLaidOut) are, unsorted, one COPY
 * that rolls files itself (DuckDB's `FILE_SIZE_BYTES`), and sorted, a write range by range in
 * bounded memory (sorted-write.ts). DuckDB's rotation is not used for sorted rows: with several
 * threads it interleaves rows across the files it rotates (checked with 1.5.x: overlapping key
 * ranges even under ORDER BY), which would undo the disjoint ranges sorting is for. A partitioned
 * write first routes its rows to one scratch folder per partition, then writes each partition
 * this way (partitioned-write.ts); compaction rewrites each group this way too.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { copyToParquet, copyToParquetFiles, type FieldIdTree } from '../../duck/parquet.js';
import { type Duck, releaseFreedMemory, scratchDir, sqlIdent, sqlString } from '../../duck/session.js';
import type { FileIO } from '../io/file-io.js';
import type { DataFile } from '../spec/manifest.js';
import type { TableMetadata } from '../spec/metadata.js';
import { moveFile } from './move-file.js';
import { type BuildDataFile, publishDataFile, type ScratchRows, writeSorted } from './sorted-write.js';
import type { WriteOrder } from './write-order.js';

/** Iceberg's table property for the size writers aim at (Java's default is 512 MiB). */
export const TARGET_FILE_SIZE_PROPERTY = 'write.target-file-size-bytes';
/**
 * Default for tables on object stores: 128 MiB, the size Athena, Trino and Spark read well
 * (one split, few GETs) and the usual recommendation for S3 tables.
 */
export const DEFAULT_TARGET_FILE_SIZE_OBJECT_STORE = 128 * 1024 * 1024;
/**
 * Default for local tables: 64 MiB. Local reads are cheap per file, and smaller files mean a
 * MERGE rewrites or masks less, and a row group budget that fits the 256 MB DuckDB memory limit.
 */
export const DEFAULT_TARGET_FILE_SIZE_LOCAL = 64 * 1024 * 1024;

/** The target size of one data file of the table, in bytes. */
export function targetFileSize(metadata: Pick<TableMetadata, 'properties' | 'location'>): number {
  const raw = metadata.properties[TARGET_FILE_SIZE_PROPERTY];
  const n = raw === undefined ? Number.NaN : Number(raw);
  if (Number.isSafeInteger(n) && n > 0) return n;
  return /^s3a?:\/\//i.test(metadata.location)
    ? DEFAULT_TARGET_FILE_SIZE_OBJECT_STORE
    : DEFAULT_TARGET_FILE_SIZE_LOCAL;
}

export interface LaidOutWrite {
  readonly duck: Duck;
  readonly io: FileIO;
  readonly metadata: TableMetadata;
  /** A SELECT of the table's columns (final types), unordered; or `scratch`. */
  readonly sql?: string;
  /** The rows, already in scratch Parquet files (a routed partition): read, never removed here. */
  readonly scratch?: ScratchRows;
  readonly order: WriteOrder;
  readonly fieldIds: FieldIdTree;
  /** Default: the table's target (targetFileSize). */
  readonly target?: number;
  readonly rowGroupSize?: number;
  /**
   * Unsorted rows only: cut them into this many files of equal row counts, instead of files
   * DuckDB rolls at the target (compaction knows the bytes it rewrites, so the files it makes
   * are about equal instead of full ones and a sliver).
   */
  readonly files?: number;
  /** The partition tuple of every file and its folder under data/ (`a=1/`); default none. */
  readonly partition?: Record<string, unknown>;
  readonly dir?: string;
  /** Builds the DataFile of a written file. */
  readonly dataFile: BuildDataFile;
}

/**
 * Writes the rows of an unpartitioned table, or of one partition. Unsorted: one COPY that rolls
 * files itself (writeRotated; a small routed partition, one file written in place), or `files`
 * equal files. Sorted: range by range in bounded memory (sorted-write.ts), so files are each
 * sorted, follow one another in the order and hold disjoint key ranges.
 */
export async function writeLaidOut(w: LaidOutWrite): Promise<DataFile[]> {
  if (w.order.terms.length > 0) return writeSortedRows(w);
  if (w.files === undefined) return writeRotated(w);
  return w.files > 1 ? writeEvenly(w, w.files) : writeOneFile(w, sqlOf(w));
}

/** The SELECT of the rows: `w.sql`, or the table's columns read from the scratch files. */
function sqlOf(w: LaidOutWrite): string {
  if (w.scratch)
    return `SELECT ${Object.keys(w.fieldIds).map(sqlIdent).join(', ')} FROM read_parquet([${w.scratch.files.map(sqlString).join(', ')}], hive_partitioning = false)`;
  if (w.sql === undefined) throw new Error('a write needs sql or scratch rows');
  return w.sql;
}

function writeSortedRows(w: LaidOutWrite): Promise<DataFile[]> {
  return writeSorted({
    duck: w.duck,
    io: w.io,
    metadata: w.metadata,
    ...(w.sql !== undefined ? { sql: w.sql } : {}),
    ...(w.scratch ? { scratch: w.scratch } : {}),
    ...(w.partition ? { partition: w.partition } : {}),
    ...(w.dir ? { dir: w.dir } : {}),
    order: w.order,
    fieldIds: w.fieldIds,
    target: w.target ?? targetFileSize(w.metadata),
    ...(w.rowGroupSize ? { rowGroupSize: w.rowGroupSize } : {}),
    dataFile: w.dataFile,
  });
}

/**
 * An unsorted write rolls in the same pass: DuckDB's COPY starts a new file at the target size
 * (FILE_SIZE_BYTES). Its threads fill files as they go, so files do not hold consecutive rows,
 * which an unsorted table does not need. One pass over the rows and nothing re-read: cutting one
 * big file afterwards read it once per output file and, on a 5M-task first load, cost 120 MB
 * and most of the write time. Files are written to a scratch folder, then each is published at
 * its own URI through FileIO (local or S3 alike); on failure the published ones are removed.
 */
/** Smallest in-memory row group of a rolling COPY (tiny targets in tests would make tiny groups). */
const ROTATE_MIN_GROUP_BYTES = 16 * 1024;

async function writeRotated(w: LaidOutWrite): Promise<DataFile[]> {
  const target = w.target ?? targetFileSize(w.metadata);
  const sql = sqlOf(w);
  // Scratch rows well under the target (by their lz4 bytes, which zstd only shrinks) are one
  // file, written in place: a thousand small partitions are then one statement each.
  if (w.scratch && w.scratch.packedBytes < target / 2) return writeOneFile(w, sql);
  const dir = await mkdtemp(join(scratchDir(), 'floe-roll-'));
  const out: DataFile[] = [];
  try {
    const files = await copyToParquetFiles(w.duck, sql, join(dir, 'files'), w.fieldIds, {
      ...(w.rowGroupSize ? { rowGroupSize: w.rowGroupSize } : {}),
      // DuckDB checks the file size after each row group: groups well below the target (by
      // their in-memory bytes, several times their compressed size) keep a file near it.
      rowGroupBytes: `${Math.ceil(Math.max(ROTATE_MIN_GROUP_BYTES, target / 4) / 1024)}KiB`,
      fileSizeBytes: target,
    });
    for (const written of files) {
      if (written.rowCount === 0n) continue;
      await publishDataFile(w, out, async (path) => {
        await moveFile(written.path, path);
        return written;
      });
    }
    return out;
  } catch (e) {
    await Promise.all(out.map((f) => w.io.delete(f.file_path).catch(() => {})));
    throw e;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** All the rows of `sql` as one file, written at its data URI. */
async function writeOneFile(w: LaidOutWrite, sql: string): Promise<DataFile[]> {
  const out: DataFile[] = [];
  await publishDataFile(w, out, (path) =>
    copyToParquet(w.duck, sql, path, w.fieldIds, w.rowGroupSize ? { rowGroupSize: w.rowGroupSize } : {}),
  );
  return out;
}

/**
 * Unsorted rows cut into `files` files of equal row counts: the rows are copied once to a scratch
 * Parquet file (lz4, small row groups), then each file is a stretch of its row numbers, a read
 * that skips the row groups outside the stretch (DuckDB prunes on `file_row_number`). Bounded by
 * a row group, where numbering the rows with a window would hold them all.
 */
async function writeEvenly(w: LaidOutWrite, files: number): Promise<DataFile[]> {
  const dir = await mkdtemp(join(scratchDir(), 'floe-even-'));
  const out: DataFile[] = [];
  try {
    const scratch = join(dir, 'rows.parquet');
    const [r] = await w.duck.json(
      `COPY (${sqlOf(w)}) TO ${sqlString(scratch)} (FORMAT parquet, COMPRESSION lz4_raw, ROW_GROUP_SIZE 16384, ROW_GROUP_SIZE_BYTES '4MB')`,
    );
    const rows = Number(r?.Count ?? 0);
    await releaseFreedMemory(w.duck);
    const n = Math.max(1, Math.min(files, rows));
    const per = Math.ceil(rows / n);
    const columns = Object.keys(w.fieldIds).map(sqlIdent).join(', ');
    for (let from = 0; from < rows; from += per) {
      await publishDataFile(w, out, (path) =>
        copyToParquet(
          w.duck,
          `SELECT ${columns} FROM read_parquet(${sqlString(scratch)}, file_row_number = true) WHERE file_row_number >= ${from} AND file_row_number < ${from + per}`,
          path,
          w.fieldIds,
          w.rowGroupSize ? { rowGroupSize: w.rowGroupSize } : {},
        ),
      );
      await releaseFreedMemory(w.duck);
    }
    return out;
  } catch (e) {
    await Promise.all(out.map((f) => w.io.delete(f.file_path).catch(() => {})));
    throw e;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
