/**
 * How a write lays its rows out in files: sorted by the table's default sort order, and cut into
 * files of about `write.target-file-size-bytes`. Sorted, size-bounded files give each file a
 * narrow key range, so MERGE (which prunes candidate files by their key bounds) and readers
 * (which prune by column bounds) open fewer files.
 *
 * An unpartitioned write (writeUnpartitioned) is, unsorted, one COPY that rolls files itself
 * (DuckDB's `FILE_SIZE_BYTES`), and sorted, a write range by range in bounded memory
 * (sorted-write.ts). DuckDB's rotation is not used for sorted rows: with several threads it
 * interleaves rows across the files it rotates (checked with 1.5.x: overlapping key ranges even
 * under ORDER BY), which would undo the disjoint ranges sorting is for. A partitioned write stages
 * its rows in a DuckDB temp table in (partition, sort) order, each partition a contiguous rowid
 * range cut into files (writeRollingFiles).
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  copyToParquet,
  copyToParquetFiles,
  type FieldIdTree,
  type WrittenParquet,
} from '../../duck/parquet.js';
import { type Duck, scratchDir } from '../../duck/session.js';
import type { FileIO } from '../io/file-io.js';
import type { DataFile } from '../spec/manifest.js';
import type { TableMetadata } from '../spec/metadata.js';
import { failpoint } from '../util/failpoint.js';
import { writeSorted } from './sorted-write.js';
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

/**
 * Smallest Parquet row group of an ordered COPY. DuckDB's order-preserving COPY buffers the
 * batches that finish out of order, and with small row groups they pile up: 1M Wrike-like tasks
 * sorted at the 256 MB memory limit ran out of memory at 5,000-row groups, not at 10,000 or more.
 */
const MIN_ORDERED_ROW_GROUP = 16_384;

function orderedRowGroup(rowGroupSize: number | undefined, ordered: boolean): { rowGroupSize?: number } {
  if (!rowGroupSize) return {};
  return { rowGroupSize: ordered ? Math.max(rowGroupSize, MIN_ORDERED_ROW_GROUP) : rowGroupSize };
}

/** Rows written first to learn the bytes a row takes in Parquet (see writeRollingFiles). */
const PILOT_ROWS = 10_000n;

/** The target size of one data file of the table, in bytes. */
export function targetFileSize(metadata: Pick<TableMetadata, 'properties' | 'location'>): number {
  const raw = metadata.properties[TARGET_FILE_SIZE_PROPERTY];
  const n = raw === undefined ? Number.NaN : Number(raw);
  if (Number.isSafeInteger(n) && n > 0) return n;
  return /^s3a?:\/\//i.test(metadata.location)
    ? DEFAULT_TARGET_FILE_SIZE_OBJECT_STORE
    : DEFAULT_TARGET_FILE_SIZE_LOCAL;
}

/** A contiguous rowid range of a staged table that becomes the files of one partition. */
export interface RowRange {
  readonly first: bigint;
  readonly count: bigint;
  /** The partition tuple (`data_file.partition`) and its folder under data/ ('' or `a=1/b=2/`). */
  readonly partition: Record<string, unknown>;
  readonly dir: string;
}

export interface RollingWrite {
  readonly duck: Duck;
  readonly io: FileIO;
  readonly metadata: TableMetadata;
  /**
   * The rows to cut (a staged table, or a table function such as `read_parquet(…)`): each range
   * is `position` first … first+count-1, in write order.
   */
  readonly staged: string;
  /** The staged table's column numbering its rows in write order; default `rowid`. */
  readonly position?: string;
  /** The SELECT list producing the table's columns from the staged table. */
  readonly select: string;
  readonly fieldIds: FieldIdTree;
  readonly ranges: readonly RowRange[];
  /** Keep the position order inside each file (the staged rows are sorted). */
  readonly ordered: boolean;
  readonly rowGroupSize?: number;
  /** Builds the DataFile of a written file. */
  readonly dataFile: (
    uri: string,
    size: number,
    partition: Record<string, unknown>,
    w: WrittenParquet,
  ) => DataFile;
}

/**
 * Writes each range as files of about the table's target size. The Parquet bytes a row takes are
 * learnt from a pilot of the first rows (at most PILOT_ROWS; kept as the file itself when it is
 * the whole range and fits), then from every file written; the rows left are spread evenly over
 * the files still needed, so a range is never cut into full files and a sliver. Files are
 * published one by one through FileIO (local or S3 alike); on failure the ones already
 * published are removed.
 */
export async function writeRollingFiles(w: RollingWrite): Promise<DataFile[]> {
  const target = targetFileSize(w.metadata);
  const out: DataFile[] = [];
  const opts = orderedRowGroup(w.rowGroupSize, w.ordered);
  // Parquet bytes per row so far (the pilot's, then the written files'), less each file's footer,
  // which every file carries once whatever its rows (wide tables: several KB).
  let learnt: { bytes: number; rows: number; footer: number } | undefined;
  const learn = (written: WrittenParquet, rows: bigint) => {
    const footer = Number(written.footerSize);
    learnt ??= { bytes: 0, rows: 0, footer };
    learnt.bytes += Math.max(1, Number(written.fileSize) - footer);
    learnt.rows += Number(rows);
    learnt.footer = Math.max(learnt.footer, footer);
  };
  /** Writes rowids [from, from+n) as one file, kept when its size is at most `keepUpTo`. */
  const writeOne = async (range: RowRange, from: bigint, n: bigint, keepUpTo: number) => {
    const uri = `${w.metadata.location}/data/${range.dir}${randomUUID()}.parquet`;
    const staged = await w.io.stageWrite(uri);
    const pos = w.position ?? 'rowid';
    const sql = `SELECT ${w.select} FROM ${w.staged} WHERE ${pos} >= ${from} AND ${pos} < ${from + n}${w.ordered ? ` ORDER BY ${pos}` : ''}`;
    let written: WrittenParquet;
    try {
      written = await copyToParquet(w.duck, sql, staged.localPath, w.fieldIds, opts);
      learn(written, n);
      if (Number(written.fileSize) > keepUpTo) {
        await staged.discard();
        return false;
      }
    } catch (e) {
      await staged.discard();
      throw e;
    }
    const size = await staged.publish();
    failpoint('iceberg.data-file');
    if (written.rowCount === 0n) await w.io.delete(uri);
    else out.push(w.dataFile(uri, size, range.partition, written));
    return true;
  };
  try {
    for (const range of w.ranges) {
      let from = range.first;
      let left = range.count;
      if (left <= 0n) continue;
      if (!learnt) {
        const pilot = left < PILOT_ROWS ? left : PILOT_ROWS;
        // A pilot that is the whole range is the file, when it fits; otherwise it only measures.
        if (await writeOne(range, from, pilot, pilot === left ? target : -1)) continue;
      }
      while (left > 0n) {
        const l = learnt!;
        const room = Math.max(target - l.footer, target / 2);
        const files = Math.max(1, Math.ceil((Number(left) * l.bytes) / l.rows / room));
        const n = (left + BigInt(files) - 1n) / BigInt(files);
        await writeOne(range, from, n, Number.POSITIVE_INFINITY);
        from += n;
        left -= n;
      }
    }
  } catch (e) {
    await Promise.all(out.map((f) => w.io.delete(f.file_path).catch(() => {})));
    throw e;
  }
  return out;
}

export interface UnpartitionedWrite {
  readonly duck: Duck;
  readonly io: FileIO;
  readonly metadata: TableMetadata;
  /** A SELECT of the table's columns (final types), unordered. */
  readonly sql: string;
  readonly order: WriteOrder;
  readonly fieldIds: FieldIdTree;
  readonly rowGroupSize?: number;
  readonly dataFile: RollingWrite['dataFile'];
}

/**
 * Writes an unpartitioned write's rows. Unsorted: one COPY that rolls files itself
 * (writeRotated). Sorted: range by range in bounded memory (sorted-write.ts), so files are each
 * sorted, follow one another in the order and hold disjoint key ranges.
 */
export async function writeUnpartitioned(w: UnpartitionedWrite): Promise<DataFile[]> {
  if (w.order.terms.length === 0) return writeRotated(w);
  return writeSorted({
    duck: w.duck,
    io: w.io,
    metadata: w.metadata,
    sql: w.sql,
    order: w.order,
    fieldIds: w.fieldIds,
    target: targetFileSize(w.metadata),
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

async function writeRotated(w: UnpartitionedWrite): Promise<DataFile[]> {
  const dir = await mkdtemp(join(scratchDir(), 'floe-roll-'));
  const out: DataFile[] = [];
  try {
    const target = targetFileSize(w.metadata);
    const files = await copyToParquetFiles(w.duck, w.sql, join(dir, 'files'), w.fieldIds, {
      ...(w.rowGroupSize ? { rowGroupSize: w.rowGroupSize } : {}),
      // DuckDB checks the file size after each row group: groups well below the target (by
      // their in-memory bytes, several times their compressed size) keep a file near it.
      rowGroupBytes: `${Math.ceil(Math.max(ROTATE_MIN_GROUP_BYTES, target / 4) / 1024)}KiB`,
      fileSizeBytes: target,
    });
    for (const written of files) {
      if (written.rowCount === 0n) continue;
      const uri = `${w.metadata.location}/data/${randomUUID()}.parquet`;
      const staged = await w.io.stageWrite(uri);
      try {
        await moveFile(written.path, staged.localPath);
      } catch (e) {
        await staged.discard();
        throw e;
      }
      const size = await staged.publish();
      failpoint('iceberg.data-file');
      out.push(w.dataFile(uri, size, {}, written));
    }
    return out;
  } catch (e) {
    await Promise.all(out.map((f) => w.io.delete(f.file_path).catch(() => {})));
    throw e;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Renames, or copies when the scratch folder is on another file system than the target. */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await copyFile(from, to);
    await rm(from, { force: true });
  }
}
