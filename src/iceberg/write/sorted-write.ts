/**
 * A sorted write in bounded memory, at any size: the rows are cut into key ranges small enough
 * to sort in a fraction of DuckDB's memory limit, each range is sorted on its own, and the sorted
 * ranges are laid end to end into files of about the target size. Files are each sorted, follow
 * one another in the table's order, and hold disjoint key ranges.
 *
 * Why not one ORDER BY: DuckDB holds wide rows in its sort at several times their Parquet size
 * (Wrike tasks: 512 bytes a row uncompressed in Parquet, 1.3–1.4 KB in the sort, up to 2.7 KB
 * more in the order-preserving COPY's buffers), so one global sort of a large write spills most
 * of it and still overruns the 256 MB default: 500k Wrike tasks sorted straight off the spool,
 * or off a Parquet copy of it, ran out of memory; into a table with spilling it took 183 s for
 * 2M (1.5 GB spilled) and peaked at 556 MB. A range of 125k rows already filled the limit.
 *
 * The steps, each bounded by the size of one range or one file (measured on 2M Wrike tasks at
 * 256 MB: DuckDB's own memory at most ~160 MB in any step; after each step the memory DuckDB
 * freed is handed back at once, see releaseFreedMemory):
 * 1. The rows are copied, unsorted, to a scratch Parquet file (lz4: fast, read back soon), one
 *    streaming pass that also says how many rows there are and how wide they are.
 * 2. Range boundaries come from a sample of the sort terms (sort-ranges.ts). Rows that tie on
 *    every term stay in one range, so a range is larger than planned only when that many rows
 *    tie (DuckDB then spills its sort).
 * 3. Each row is written to its range's folder (COPY … PARTITION_BY the range number, row
 *    groups cut small, few files open and few rows held per thread, so it buffers little; in
 *    levels of at most 16 folders a pass: split-by-column.ts).
 * 4. Each range is sorted into a piece file.
 * 5. Consecutive pieces are copied into each output file in order: with preserve_insertion_order
 *    on for this connection only, a COPY of a list of Parquet files keeps their order and needs
 *    no sort (the instance keeps it off, which lets unordered writes stream).
 *
 * Rows already in scratch Parquet files (one partition of a partitioned write, routed there by
 * partitioned-write.ts) start at step 2: they are not copied again, and a set small enough for
 * one range is one ORDER BY straight from those files into the data file.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { copyToParquet, type FieldIdTree, type WrittenParquet } from '../../duck/parquet.js';
import {
  type Duck,
  memoryLimitBytes,
  releaseFreedMemory,
  scratchDir,
  sqlIdent,
  sqlString,
  withSessionSettings,
} from '../../duck/session.js';
import type { FileIO } from '../io/file-io.js';
import type { DataFile } from '../spec/manifest.js';
import type { TableMetadata } from '../spec/metadata.js';
import { failpoint } from '../util/failpoint.js';
import { moveFile } from './move-file.js';
import { rangeOfRowSql, sampleBoundaries } from './sort-ranges.js';
import { splitByColumn } from './split-by-column.js';
import type { WriteOrder } from './write-order.js';

/**
 * Bytes a row takes in DuckDB's sort and the order-preserving COPY after it, per byte of the
 * row uncompressed in Parquet: Wrike tasks, 512 bytes uncompressed, took 1.3–1.4 KB in the sort
 * and up to 2.7 KB in the COPY's buffers (25k-row ranges, 2 threads).
 */
const SORT_BYTES_PER_RAW_BYTE = 8;
/**
 * A range is at most this fraction of a file, so a file is several ranges and ends near its
 * share of the bytes (files are cut at range boundaries).
 */
const RANGES_PER_FILE = 4;
/** Share of DuckDB's memory limit one range's sort may take (the rest: reader, writer, others). */
const RANGE_MEMORY_SHARE = 0.4;
/**
 * The memory bound never cuts ranges smaller than this, which bounds their number (very wide rows
 * then take more memory).
 */
const MIN_RANGE_ROWS = 1024;
/**
 * The target bound cuts ranges down to this: small targets (a table's own small
 * `write.target-file-size-bytes`, tests') still get files near the target, each a few ranges.
 * A file is at least one range, so targets below this many rows' bytes give larger files.
 */
const MIN_TARGET_RANGE_ROWS = 64;
/** Sample rows per range for the boundaries (a few percent of error per range), within bounds. */
const SAMPLE_PER_RANGE = 100;
const MIN_SAMPLE = 10_000;
const MAX_SAMPLE = 200_000;
/**
 * Row groups of the pieces. The in-order copy buffers its source a row group at a time per
 * thread: from 4,096-row groups it held 40–60 MB (2M Wrike tasks); from 16,384, over 200 MB.
 */
const PIECE_ROW_GROUP = 4096;
/**
 * Output row groups of the in-order copy, unless the caller sized them: ~8 MB of uncompressed
 * rows, at least 16,384 rows (smaller groups made the in-order copy buffer more: 377 MB against
 * 231 MB at 5,460 and 16,384 rows on 500k Wrike tasks).
 */
const OUTPUT_GROUP_BYTES = 8 * 1024 * 1024;
const MIN_OUTPUT_GROUP = 16_384;
const RANGE_COLUMN = '__floe_range';

/** Rows already written to scratch Parquet files (the table's columns), and their measure. */
export interface ScratchRows {
  readonly files: readonly string[];
  readonly rows: number;
  /** Bytes of the rows uncompressed, and as stored (lz4), from the files' metadata. */
  readonly rawBytes: number;
  readonly packedBytes: number;
}

/** Rows and bytes of each of `files` (scratch Parquet), by path, from their metadata alone. */
export async function measureScratch(
  duck: Duck,
  files: readonly string[],
): Promise<Map<string, { rows: number; rawBytes: number; packedBytes: number }>> {
  const out = new Map<string, { rows: number; rawBytes: number; packedBytes: number }>();
  if (files.length === 0) return out;
  const list = `[${files.map(sqlString).join(', ')}]`;
  const sizes = await duck.json(
    `SELECT file_name AS f, sum(total_uncompressed_size)::DOUBLE AS raw, sum(total_compressed_size)::DOUBLE AS packed FROM parquet_metadata(${list}) GROUP BY 1`,
  );
  const rows = await duck.json(
    `SELECT file_name AS f, num_rows::DOUBLE AS n FROM parquet_file_metadata(${list})`,
  );
  for (const r of rows) out.set(String(r.f), { rows: Number(r.n), rawBytes: 0, packedBytes: 0 });
  for (const r of sizes) {
    const m = out.get(String(r.f));
    if (m) out.set(String(r.f), { ...m, rawBytes: Number(r.raw), packedBytes: Number(r.packed) });
  }
  return out;
}

/** Builds the manifest's DataFile of a file a write published (counts, metrics, its order). */
export type BuildDataFile = (
  uri: string,
  size: number,
  partition: Record<string, unknown>,
  w: WrittenParquet,
) => DataFile;

export interface SortedWrite {
  readonly duck: Duck;
  readonly io: FileIO;
  readonly metadata: TableMetadata;
  /** A SELECT of the table's columns (final types), unordered; or `scratch`. */
  readonly sql?: string;
  /** The rows, already in scratch Parquet files: read as they are, never removed here. */
  readonly scratch?: ScratchRows;
  /** The partition tuple of every file, and its folder under data/ (`a=1/`); default none. */
  readonly partition?: Record<string, unknown>;
  readonly dir?: string;
  readonly order: WriteOrder;
  readonly fieldIds: FieldIdTree;
  /** The size to aim each file at. */
  readonly target: number;
  /** Rows per output row group; default from the rows' width. */
  readonly rowGroupSize?: number;
  /** Rows per key range; default from DuckDB's memory limit and the rows' width (planRanges). */
  readonly rangeRows?: number;
  /** Rows one range pass reads at most; default SPLIT_CHUNK_ROWS. */
  readonly splitChunkRows?: number;
  readonly dataFile: BuildDataFile;
}

interface Piece {
  readonly path: string;
  readonly bytes: number;
}

/** Writes the rows of `w.sql` sorted by `w.order`, in files of about `w.target`. */
export async function writeSorted(w: SortedWrite): Promise<DataFile[]> {
  // Made when first needed: a small partition read from its routed files needs none.
  let dir: string | undefined;
  const scratch = async () => {
    dir ??= await mkdtemp(join(scratchDir(), 'floe-sort-'));
    return dir;
  };
  const out: DataFile[] = [];
  try {
    let input = w.scratch;
    if (!input) {
      if (w.sql === undefined) throw new Error('writeSorted needs sql or scratch rows');
      const staged = join(await scratch(), 'staged.parquet');
      const rows = await copyRows(w.duck, w.sql, staged);
      if (rows === 0) return [];
      await releaseFreedMemory(w.duck);
      const m = (await measureScratch(w.duck, [staged])).get(staged);
      input = { files: [staged], rows, rawBytes: m?.rawBytes ?? 0, packedBytes: m?.packedBytes ?? 0 };
    }
    if (input.rows === 0) return [];
    const owned = input !== w.scratch;
    const staged = `read_parquet([${input.files.map(sqlString).join(', ')}], hive_partitioning = false)`;
    const plan = await planRanges(w.duck, input, w.target, w.rangeRows);
    const rowGroupSize =
      w.rowGroupSize !== undefined
        ? Math.max(w.rowGroupSize, MIN_OUTPUT_GROUP)
        : Math.min(122_880, Math.max(MIN_OUTPUT_GROUP, Math.floor(OUTPUT_GROUP_BYTES / plan.rawBytesPerRow)));
    const columns = Object.keys(w.fieldIds).map(sqlIdent).join(', ');
    const orderBy = w.order.terms.join(', ');
    if (plan.ranges <= 1) {
      // One range: sorted straight into the file.
      await publishDataFile(w, out, (path) =>
        copyToParquet(w.duck, `SELECT ${columns} FROM ${staged} ORDER BY ${orderBy}`, path, w.fieldIds, {
          rowGroupSize,
        }),
      );
      return out;
    }
    const pieces = await sortedPieces(w, await scratch(), staged, input, plan, owned ? input.files : []);
    await laidEndToEnd(w, out, await scratch(), pieces, columns, rowGroupSize);
    return out;
  } catch (e) {
    await Promise.all(out.map((f) => w.io.delete(f.file_path).catch(() => {})));
    throw e;
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/** Copies the rows, unsorted, into a scratch Parquet file; returns how many there are. */
async function copyRows(duck: Duck, sql: string, path: string): Promise<number> {
  const [r] = await duck.json(
    `COPY (${sql}) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION lz4_raw, ROW_GROUP_SIZE 16384, ROW_GROUP_SIZE_BYTES '4MB')`,
  );
  return Number(r?.Count ?? 0);
}

interface RangePlan {
  readonly rows: number;
  readonly ranges: number;
  readonly rawBytesPerRow: number;
}

/**
 * How many ranges: as many as keep one range's sort within RANGE_MEMORY_SHARE of DuckDB's memory
 * limit (row width from the scratch files' uncompressed size), and one range within a quarter of
 * a file of the target size (by its lz4 size, which zstd only shrinks).
 */
async function planRanges(
  duck: Duck,
  input: ScratchRows,
  target: number,
  rangeRows?: number,
): Promise<RangePlan> {
  const rows = input.rows;
  const raw = Math.max(1, input.rawBytes / rows);
  const packed = Math.max(1, input.packedBytes / rows);
  const byTarget = Math.max(MIN_TARGET_RANGE_ROWS, Math.floor(target / (packed * RANGES_PER_FILE)));
  // Rows that neither bound would cut are one range, whatever the memory limit (no query: a
  // thousand small partitions each skip it).
  if (rangeRows === undefined && rows <= Math.min(MIN_RANGE_ROWS, byTarget))
    return { rows, ranges: 1, rawBytesPerRow: raw };
  let memory = await memoryLimitBytes(duck);
  if (!Number.isFinite(memory) || memory <= 0) memory = 256e6;
  const byMemory = Math.floor((memory * RANGE_MEMORY_SHARE) / (raw * SORT_BYTES_PER_RAW_BYTE));
  const perRange = rangeRows ?? Math.min(Math.max(MIN_RANGE_ROWS, byMemory), byTarget);
  return { rows, ranges: Math.ceil(rows / Math.max(1, perRange)), rawBytesPerRow: raw };
}

/**
 * Cuts the scratch rows into key ranges and sorts each into a piece file, in order. The scratch
 * file this write made (`drop`) goes once the ranges are written, and each range's folder once
 * it is sorted, so the run's scratch disk holds about one copy of the rows at a time.
 */
async function sortedPieces(
  w: SortedWrite,
  dir: string,
  source: string,
  input: ScratchRows,
  plan: RangePlan,
  drop: readonly string[],
): Promise<Piece[]> {
  const sample = Math.min(plan.rows, MAX_SAMPLE, Math.max(MIN_SAMPLE, plan.ranges * SAMPLE_PER_RANGE));
  // Reading several files' metadata holds memory too (+100 MB on a 5M-row file), handed back below.
  const chunks = await splitChunks(w.duck, input, w.splitChunkRows);
  const bounds = await sampleBoundaries(w.duck, source, w.order.fields, plan.ranges, sample);
  // The sample's memory goes back before the range pass allocates (5M Wrike tasks: the pass
  // started from 255 MB resident instead of about 160).
  await releaseFreedMemory(w.duck);
  const rangesDir = join(dir, 'ranges');
  const range = rangeOfRowSql(w.order.fields, bounds);
  await splitByColumn(
    w.duck,
    chunks.map((chunk) => `SELECT *, ${range} AS ${RANGE_COLUMN} FROM ${chunk}`),
    rangesDir,
    RANGE_COLUMN,
    0,
    bounds.length + 1,
  );
  for (const f of drop) await rm(f, { force: true });
  await releaseFreedMemory(w.duck);
  const pieces: Piece[] = [];
  for (let i = 0; i <= bounds.length; i++) {
    const rangeDir = join(rangesDir, `${RANGE_COLUMN}=${i}`);
    // A range the sample bounded but no row fell in has no folder.
    if (!existsSync(rangeDir) || (await readdir(rangeDir)).length === 0) continue;
    const path = join(dir, `piece-${i}.parquet`);
    await w.duck.run(
      `COPY (SELECT * FROM read_parquet(${sqlString(join(rangeDir, '*.parquet'))}, hive_partitioning = false) ORDER BY ${w.order.terms.join(', ')}) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION lz4_raw, ROW_GROUP_SIZE ${PIECE_ROW_GROUP})`,
    );
    await rm(rangeDir, { recursive: true, force: true });
    pieces.push({ path, bytes: (await stat(path)).size });
    await releaseFreedMemory(w.duck);
  }
  return pieces;
}

/** Rows one range pass reads at most (see splitByColumn: a pass's memory grows with its rows). */
const SPLIT_CHUNK_ROWS = 1_000_000;

/**
 * The scratch files as sources of at most SPLIT_CHUNK_ROWS rows each: small files together, a
 * large one by row number (DuckDB then reads only the row groups in the chunk).
 */
async function splitChunks(duck: Duck, input: ScratchRows, chunkRows = SPLIT_CHUNK_ROWS): Promise<string[]> {
  const files = input.files;
  // One file (a write's own scratch copy) has the input's rows; only several are measured.
  const sizes =
    files.length === 1 ? new Map([[files[0]!, { rows: input.rows }]]) : await measureScratch(duck, files);
  const out: string[] = [];
  let group: string[] = [];
  let groupRows = 0;
  const flush = () => {
    if (group.length)
      out.push(`read_parquet([${group.map(sqlString).join(', ')}], hive_partitioning = false)`);
    group = [];
    groupRows = 0;
  };
  for (const f of files) {
    const n = sizes.get(f)?.rows ?? 0;
    if (n <= chunkRows) {
      if (groupRows + n > chunkRows) flush();
      group.push(f);
      groupRows += n;
      continue;
    }
    flush();
    for (let at = 0; at < n; at += chunkRows)
      out.push(
        `(SELECT * EXCLUDE (file_row_number) FROM read_parquet(${sqlString(f)}, hive_partitioning = false, file_row_number = true) WHERE file_row_number >= ${at} AND file_row_number < ${at + chunkRows})`,
      );
  }
  flush();
  return out;
}

/**
 * Copies consecutive pieces into each output file, in order. How many files: the bytes an output
 * file takes per piece byte (zstd against lz4, footer aside) are measured on a pilot of a few
 * pieces from across the key range, and the pieces are split into as many files as the target
 * size needs, at the piece boundaries nearest to equal shares, so files come out near the target
 * and about equal, not full files and a sliver.
 */
async function laidEndToEnd(
  w: SortedWrite,
  out: DataFile[],
  dir: string,
  pieces: readonly Piece[],
  columns: string,
  rowGroupSize: number,
): Promise<void> {
  const copy = (list: readonly Piece[], path: string) =>
    copyToParquet(
      w.duck,
      `SELECT ${columns} FROM read_parquet([${list.map((p) => sqlString(p.path)).join(', ')}])`,
      path,
      w.fieldIds,
      { rowGroupSize },
    );
  await withSessionSettings(w.duck, { preserve_insertion_order: 'true' }, async () => {
    const sampled = [...new Set([0, pieces.length >> 1, pieces.length - 1])].map((i) => pieces[i]!);
    const pilotPath = join(dir, 'pilot.parquet');
    const pilot = await copy(sampled, pilotPath);
    const footer = Number(pilot.footerSize);
    const ratio = Math.max(1, Number(pilot.fileSize) - footer) / sampled.reduce((a, p) => a + p.bytes, 0);
    const total = pieces.reduce((a, p) => a + p.bytes, 0);
    const room = Math.max(w.target - footer, w.target / 2);
    const files = Math.max(1, Math.min(pieces.length, Math.ceil((total * ratio) / room)));
    if (files === 1 && sampled.length === pieces.length) {
      // Up to three pieces: the pilot is all of them, in order, and one file holds them, so it
      // is that file (a partition of a few ranges is then copied once, not twice).
      await publishDataFile(w, out, async (path) => {
        await moveFile(pilotPath, path);
        return pilot;
      });
      for (const p of pieces) await rm(p.path, { force: true });
      return;
    }
    await rm(pilotPath, { force: true });
    // Without this the first file started where the pilot left off (5M Wrike tasks: 326 MB
    // resident, peaking at 435 MB, where the other files peaked at 307–373 MB).
    await releaseFreedMemory(w.duck);
    let next = 0;
    let done = 0;
    for (let f = 1; f <= files; f++) {
      // Whole pieces up to the f-th share of the bytes, ending at the boundary nearest to it.
      const end = (total * f) / files;
      let take = 1;
      let sum = done + pieces[next]!.bytes;
      while (next + take < pieces.length && (f === files || sum + pieces[next + take]!.bytes / 2 <= end))
        sum += pieces[next + take++]!.bytes;
      const group = pieces.slice(next, next + take);
      await publishDataFile(w, out, (path) => copy(group, path));
      for (const p of group) await rm(p.path, { force: true });
      next += take;
      done = sum;
      await releaseFreedMemory(w.duck);
      if (next >= pieces.length) break;
    }
  });
}

/** Where and how a writer publishes its data files. */
export type PublishTarget = Pick<SortedWrite, 'io' | 'metadata' | 'dir' | 'partition' | 'dataFile'>;

/**
 * Writes one file through `write` at a new data URI (under `w.dir`) and publishes it through
 * FileIO; its DataFile goes to `out` (a file without rows is removed instead). Returns what was
 * written. A failed write discards the staged file.
 */
export async function publishDataFile(
  w: PublishTarget,
  out: DataFile[],
  write: (localPath: string) => Promise<WrittenParquet>,
): Promise<WrittenParquet> {
  const uri = `${w.metadata.location}/data/${w.dir ?? ''}${randomUUID()}.parquet`;
  const staged = await w.io.stageWrite(uri);
  let written: WrittenParquet;
  try {
    written = await write(staged.localPath);
  } catch (e) {
    await staged.discard();
    throw e;
  }
  const size = await staged.publish();
  failpoint('iceberg.data-file');
  if (written.rowCount === 0n) await w.io.delete(uri);
  else out.push(w.dataFile(uri, size, w.partition ?? {}, written));
  return written;
}
