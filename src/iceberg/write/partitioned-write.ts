/**
 * A partitioned write in bounded memory, at any size: the rows are routed once, streaming, to one
 * scratch folder per partition (DuckDB `COPY … PARTITION_BY`, buffering little, at most 16
 * partitions a pass: split-by-column.ts), then each partition is written on its own by the
 * unpartitioned machinery (writeLaidOut: files rolled at the target size, or sorted range by range
 * when the table has a sort order). No step holds more than a range's sort or a file's row groups
 * (and the routing pass's small buffers), whatever the number of rows or partitions.
 *
 * Why not one ORDER BY (partition, sort terms) over a staged table, each partition a rowid range
 * (what this replaced): that sorted every row of the write at once. A first load of 2M
 * 20-column rows (bench/partitioned-memory.ts) into a table partitioned by bucket(16, id) and
 * sorted by id peaked at 565–714 MB resident with it at the 256 MB default, 318–367 MB routed
 * (the time within 5–10%); into bucket(1000, id), 574–613 MB against 366–417 MB.
 *
 * Small partitions are written straight from their routed files, no copy made: one that fits one
 * sort range (or, unsorted, half a file) is a single statement into its data file, so a write of
 * 1,000 small partitions costs about what the rowid ranges did (1,000 days of 20 rows: ~4 ms a
 * partition), not 1,000 heavy passes. The memory DuckDB freed is handed back after every 32 MB of
 * routed rows written, so after every large partition and not after each small one
 * (releaseFreedMemory).
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FieldIdTree } from '../../duck/parquet.js';
import { type Duck, releaseFreedMemory, scratchDir } from '../../duck/session.js';
import type { FileIO } from '../io/file-io.js';
import type { DataFile } from '../spec/manifest.js';
import type { TableMetadata } from '../spec/metadata.js';
import { writeLaidOut } from './file-layout.js';
import { type BuildDataFile, measureScratch, type ScratchRows } from './sorted-write.js';
import { splitByColumn } from './split-by-column.js';
import type { WriteOrder } from './write-order.js';

/**
 * Uncompressed bytes of routed rows written between two hand-backs of DuckDB's freed memory.
 * A hand-back costs a few ms; after every one of 1,000 tiny partitions that is seconds for nothing.
 */
const RELEASE_EVERY_BYTES = 32 * 1024 * 1024;

export interface PartitionedWrite {
  readonly duck: Duck;
  readonly io: FileIO;
  readonly metadata: TableMetadata;
  /** A SELECT of the table's columns (final types) and `column`, unordered. */
  readonly sql: string;
  /** The integer column of `sql` numbering each row's partition, 0 … partitions - 1. */
  readonly column: string;
  readonly partitions: number;
  /** A partition number's tuple (`data_file.partition`) and its folder under data/ (`a=1/b=2/`). */
  readonly partitionOf: (key: number) => { partition: Record<string, unknown>; dir: string };
  readonly order: WriteOrder;
  readonly fieldIds: FieldIdTree;
  /** Default: the table's target (targetFileSize). */
  readonly target?: number;
  readonly rowGroupSize?: number;
  readonly dataFile: BuildDataFile;
}

/** Writes the rows of `w.sql`, partition by partition (see the file comment). */
export async function writePartitioned(w: PartitionedWrite): Promise<DataFile[]> {
  const scratch = await mkdtemp(join(scratchDir(), 'floe-part-'));
  const out: DataFile[] = [];
  try {
    const routed = join(scratch, 'routed');
    if ((await splitByColumn(w.duck, w.sql, routed, w.column, 0, w.partitions)) === 0) return [];
    await releaseFreedMemory(w.duck);
    let unreleased = 0;
    for (const p of await routedPartitions(w.duck, routed, w.column)) {
      const { partition, dir } = w.partitionOf(p.key);
      out.push(
        ...(await writeLaidOut({
          duck: w.duck,
          io: w.io,
          metadata: w.metadata,
          scratch: p,
          order: w.order,
          fieldIds: w.fieldIds,
          ...(w.target !== undefined ? { target: w.target } : {}),
          ...(w.rowGroupSize ? { rowGroupSize: w.rowGroupSize } : {}),
          partition,
          dir,
          dataFile: w.dataFile,
        })),
      );
      await rm(p.folder, { recursive: true, force: true });
      unreleased += p.rawBytes;
      if (unreleased >= RELEASE_EVERY_BYTES) {
        await releaseFreedMemory(w.duck);
        unreleased = 0;
      }
    }
    return out;
  } catch (e) {
    await Promise.all(out.map((f) => w.io.delete(f.file_path).catch(() => {})));
    throw e;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

interface RoutedPartition extends ScratchRows {
  readonly key: number;
  readonly folder: string;
}

/** The partitions the routing pass wrote (`routed/column=key/*.parquet`), measured, by key. */
async function routedPartitions(duck: Duck, routed: string, column: string): Promise<RoutedPartition[]> {
  const prefix = `${column}=`;
  const folders = (await readdir(routed)).filter((d) => d.startsWith(prefix));
  const listed = await Promise.all(
    folders.map(async (d) => {
      const folder = join(routed, d);
      const files = (await readdir(folder)).filter((f) => f.endsWith('.parquet')).map((f) => join(folder, f));
      return { key: Number(d.slice(prefix.length)), folder, files };
    }),
  );
  const measured = await measureScratch(
    duck,
    listed.flatMap((p) => p.files),
  );
  return listed
    .map((p) => {
      let rows = 0;
      let rawBytes = 0;
      let packedBytes = 0;
      for (const f of p.files) {
        const m = measured.get(f);
        if (!m) throw new Error(`routed file ${f} has no metadata`);
        rows += m.rows;
        rawBytes += m.rawBytes;
        packedBytes += m.packedBytes;
      }
      return { ...p, rows, rawBytes, packedBytes };
    })
    .filter((p) => p.rows > 0)
    .sort((a, b) => a.key - b.key);
}
