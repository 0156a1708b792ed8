/**
 * How a write lays its rows out in files: sorted by the table's default sort order, and cut into
 * files of about `write.target-file-size-bytes`. Sorted, size-bounded files give each file a
 * narrow key range, so MERGE (which prunes candidate files by their key bounds) and readers
 * (which prune by column bounds) open fewer files.
 *
 * An unpartitioned write is one COPY sorted by the write order (writeOneThenRoll), cut from
 * itself only when larger than the target; a partitioned one stages its rows in a DuckDB temp
 * table in (partition, sort) order, each partition a contiguous rowid range (writeRollingFiles).
 * Either way each output file is a contiguous range of rows in write order. DuckDB's own
 * `FILE_SIZE_BYTES` rotation is not used: with several threads it interleaves rows across the files it rotates (checked
 * with 1.5.x: overlapping key ranges even under ORDER BY, files up to 1.5x the limit, and empty
 * trailing files), which would undo the disjoint ranges sorting is for.
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
import { type Duck, scratchDir, sqlIdent, sqlString } from '../../duck/session.js';
import type { FileIO } from '../io/file-io.js';
import type { DataFile } from '../spec/manifest.js';
import type { TableMetadata } from '../spec/metadata.js';
import { indexSchema, type Schema } from '../spec/schema.js';
import { defaultSortOrder } from '../spec/sort-order.js';
import { parseTransform } from '../spec/transforms.js';
import { failpoint } from '../util/failpoint.js';

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

export interface WriteOrder {
  /** ORDER BY terms (empty: the table declares no order). */
  readonly terms: readonly string[];
  /** The sort order id to record in the data files: 0 unless every field could be applied. */
  readonly sortOrderId: number;
}

/**
 * ORDER BY terms for the table's default sort order over columns named as in `schema`
 * (top-level, or struct paths). Identity, the time transforms and truncate of numbers and
 * strings are computed in SQL; `void` orders nothing and is skipped. `bucket` (a murmur3 hash
 * DuckDB cannot compute) and truncate of binary end the terms there: the rows are then sorted by
 * the fields before it only, and the files record sort order 0 (unsorted), as the spec asks of
 * files not written in the declared order.
 */
export function writeOrder(metadata: TableMetadata, schema: Schema): WriteOrder {
  const order = defaultSortOrder(metadata);
  const index = indexSchema(schema);
  const terms: string[] = [];
  let complete = true;
  for (const f of order.fields) {
    const col = index.get(f['source-id']);
    if (!col || col.repeated) {
      complete = false;
      break;
    }
    const ref = col.path.map(sqlIdent).join('.');
    const expr = transformSql(f.transform, ref, col.type);
    if (expr === null) continue;
    if (expr === undefined) {
      complete = false;
      break;
    }
    const dir = f.direction === 'desc' ? 'DESC' : 'ASC';
    const nulls = f['null-order'] === 'nulls-last' ? 'NULLS LAST' : 'NULLS FIRST';
    terms.push(`${expr} ${dir} ${nulls}`);
  }
  return { terms, sortOrderId: complete && terms.length > 0 ? order['order-id'] : 0 };
}

/** SQL for a transform of `ref`; null: orders nothing (void); undefined: cannot be computed here. */
function transformSql(transform: string, ref: string, type: unknown): string | null | undefined {
  let t: ReturnType<typeof parseTransform>;
  try {
    t = parseTransform(transform);
  } catch {
    return undefined;
  }
  switch (t.kind) {
    case 'identity':
      return ref;
    case 'year':
    case 'month':
    case 'day':
    case 'hour':
      return `date_trunc('${t.kind}', ${ref})`;
    case 'truncate':
      if (type === 'string') return `left(${ref}, ${t.width})`;
      if (type === 'int' || type === 'long')
        return `(${ref} - (((${ref} % ${t.width}) + ${t.width}) % ${t.width}))`;
      return undefined;
    case 'void':
      return null;
    default:
      return undefined;
  }
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
  /** A file of these rows already written (its size says the bytes per row; no pilot needed). */
  readonly measured?: WrittenParquet;
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
  if (w.measured && w.measured.rowCount > 0n) learn(w.measured, w.measured.rowCount);
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

export interface OneThenRoll {
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
 * (writeRotated). Sorted: one COPY into one file, sorted by the write order, which is the whole
 * write when it fits the target size; a larger file is cut into rolled files from itself (a
 * columnar re-read in its row order, by `file_row_number`) and then dropped, so each file holds
 * a contiguous key range.
 */
export async function writeOneThenRoll(w: OneThenRoll): Promise<DataFile[]> {
  if (w.order.terms.length === 0) return writeRotated(w);
  const uri = `${w.metadata.location}/data/${randomUUID()}.parquet`;
  const oneFile = await w.io.stageWrite(uri);
  const rowGroup = orderedRowGroup(w.rowGroupSize, w.order.terms.length > 0);
  let written: WrittenParquet;
  try {
    const orderBy = w.order.terms.length ? ` ORDER BY ${w.order.terms.join(', ')}` : '';
    written = await copyToParquet(w.duck, `${w.sql}${orderBy}`, oneFile.localPath, w.fieldIds, rowGroup);
  } catch (e) {
    await oneFile.discard();
    throw e;
  }
  if (Number(written.fileSize) <= targetFileSize(w.metadata)) {
    const size = await oneFile.publish();
    failpoint('iceberg.data-file');
    if (written.rowCount === 0n) {
      await w.io.delete(uri);
      return [];
    }
    return [w.dataFile(uri, size, {}, written)];
  }
  // The big file is cut by reading it again, range by range of its row numbers: no staged copy
  // of its rows in DuckDB (which filled the memory limit and spilled on a 2M-task first load).
  try {
    return await writeRollingFiles({
      duck: w.duck,
      io: w.io,
      metadata: w.metadata,
      staged: `read_parquet(${sqlString(oneFile.localPath)}, file_row_number = true)`,
      position: 'file_row_number',
      select: Object.keys(w.fieldIds).map(sqlIdent).join(', '),
      fieldIds: w.fieldIds,
      ranges: [{ first: 0n, count: written.rowCount, partition: {}, dir: '' }],
      ordered: w.order.terms.length > 0,
      ...rowGroup,
      dataFile: w.dataFile,
      measured: written,
    });
  } finally {
    await oneFile.discard();
  }
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

async function writeRotated(w: OneThenRoll): Promise<DataFile[]> {
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
