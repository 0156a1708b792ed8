/**
 * Scan planning and reading. Planning walks the snapshot's manifest list, prunes manifests by
 * their partition summaries' spec, entries by partition tuple and column bounds, and pairs each
 * data file with the position deletes that apply to it. Reading hands the files to DuckDB,
 * projecting by Iceberg field id (so renamed and added columns read correctly from old files).
 */
import { FloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import { type DataFile, EntryStatus, type ManifestEntry, type ManifestFile } from '../spec/manifest.js';
import {
  currentSnapshot,
  type Snapshot,
  schemaById,
  snapshotAsOf,
  snapshotById,
  specById,
  type TableMetadata,
} from '../spec/metadata.js';
import { type NameMappingEntry, parseNameMapping, type Schema } from '../spec/schema.js';
import { readManifestEntries, readManifestList } from '../write/manifest-io.js';
import { deleteMayApply } from '../write/position-deletes.js';
import { type Expr, fileMightMatch, partitionMightMatch } from './expr.js';
import { type ReadRow, readRows, streamRows } from './reader.js';

export interface ScanOptions {
  /** Columns to return (top-level names); default all. */
  readonly select?: readonly string[];
  readonly filter?: Expr;
  /** Time travel: read this snapshot. */
  readonly snapshotId?: bigint;
  /** Time travel: read the snapshot current at this time (ms since epoch). */
  readonly asOfMs?: number;
  readonly limit?: number;
  /** Skip this many rows first (with `limit`, a page of rows); pair with `fileOrder`. */
  readonly offset?: number;
  /**
   * Return rows in a stable order (by data file path, then row position in the file), so pages
   * read with `offset` neither repeat nor skip rows. Costs a sort; off by default.
   */
  readonly fileOrder?: boolean;
}

export interface FileScanTask {
  readonly file: DataFile;
  readonly deletes: readonly DataFile[];
  readonly sequenceNumber: bigint;
  /**
   * Read only the rows these delete files delete (still minus `deletes`): the rows a range of
   * snapshots removed from a file that stayed (changes.ts). Absent: every live row.
   */
  readonly onlyDeletedBy?: readonly DataFile[];
}

export interface ScanPlan {
  readonly snapshot: Snapshot | undefined;
  readonly schema: Schema;
  readonly tasks: FileScanTask[];
  /** The table's name mapping, for data files without field ids (read/nested-ids.ts). */
  readonly nameMapping?: readonly NameMappingEntry[];
}

export class Scan {
  constructor(
    protected readonly io: FileIO,
    protected readonly metadata: TableMetadata,
    protected readonly opts: ScanOptions,
    protected readonly table: string,
    /** Overrides planning (incremental scans). */
    private readonly planner?: () => Promise<ScanPlan>,
  ) {}

  snapshot(): Snapshot | undefined {
    const m = this.metadata;
    if (this.opts.snapshotId !== undefined) {
      const s = snapshotById(m, this.opts.snapshotId);
      if (!s)
        throw new FloeError('not-found', `snapshot ${this.opts.snapshotId} does not exist`, {
          context: { table: this.table },
        });
      return s;
    }
    if (this.opts.asOfMs !== undefined) {
      const s = snapshotAsOf(m, this.opts.asOfMs);
      if (!s) {
        throw new FloeError(
          'not-found',
          `the table had no snapshot at ${new Date(this.opts.asOfMs).toISOString()}`,
          {
            context: { table: this.table },
          },
        );
      }
      return s;
    }
    return currentSnapshot(m);
  }

  /** Schema for reading: time travel reads with the schema of its snapshot, as Spark does. */
  schema(): Schema {
    const s = this.snapshot();
    return this.opts.snapshotId !== undefined || this.opts.asOfMs !== undefined
      ? schemaById(this.metadata, s?.['schema-id'])
      : schemaById(this.metadata, undefined);
  }

  async plan(): Promise<ScanPlan> {
    if (this.planner) return this.planner();
    const snapshot = this.snapshot();
    const schema = this.schema();
    if (!snapshot) return { snapshot, schema, tasks: [] };
    const manifests = await readManifestList(this.io, snapshot['manifest-list']);
    const nameMapping = parseNameMapping(this.metadata.properties);
    return {
      snapshot,
      schema,
      tasks: await planTasks(this.io, this.metadata, schema, manifests, this.opts.filter, this.table),
      ...(nameMapping ? { nameMapping } : {}),
    };
  }

  /** Matching rows as canonical JSON values (see spec/values.ts). */
  async toRows(): Promise<ReadRow[]> {
    const plan = await this.plan();
    return readRows(this.io, plan, this.opts, this.table);
  }

  /** Streams rows in chunks. */
  stream(): AsyncGenerator<ReadRow[]> {
    return (async function* (self: Scan) {
      const plan = await self.plan();
      yield* streamRows(self.io, plan, self.opts, self.table);
    })(this);
  }

  async count(): Promise<number> {
    return (await this.toRows()).length;
  }
}

export async function planTasks(
  io: FileIO,
  metadata: TableMetadata,
  schema: Schema,
  manifests: readonly ManifestFile[],
  filter: Expr | undefined,
  table: string,
  entryFilter?: (e: ManifestEntry, m: ManifestFile) => boolean,
): Promise<FileScanTask[]> {
  const data: { file: DataFile; seq: bigint; specId: number }[] = [];
  const deletes: { file: DataFile; seq: bigint; specId: number }[] = [];
  for (const m of manifests) {
    if (m.added_files_count + m.existing_files_count === 0 && m.deleted_files_count > 0 && !entryFilter)
      continue;
    const spec = specById(metadata, m.partition_spec_id);
    for (const e of await readManifestEntries(io, metadata, m)) {
      if (e.status === EntryStatus.DELETED) continue;
      if (entryFilter && !entryFilter(e, m)) continue;
      const f = e.data_file;
      if (f.content === 2) {
        throw new FloeError(
          'feature-unsupported',
          'the table has equality delete files, which floe cannot apply yet; compact the table with Spark (rewrite_data_files) first',
          {
            context: { table, file: f.file_path },
          },
        );
      }
      const seq = e.sequence_number ?? m.sequence_number;
      if (f.content === 1) {
        deletes.push({ file: f, seq, specId: m.partition_spec_id });
        continue;
      }
      if (filter) {
        if (spec?.fields.length && !partitionMightMatch(schema, spec.fields, f.partition, filter)) continue;
        if (!fileMightMatch(schema, f, filter)) continue;
      }
      data.push({ file: f, seq, specId: m.partition_spec_id });
    }
  }
  // A position delete applies to data files with sequence number <= its own (spec §Scan Planning).
  return data.map((d) => ({
    file: d.file,
    sequenceNumber: d.seq,
    deletes: deletes
      .filter((x) => x.seq >= d.seq && deleteMayApply(x.file, d.file.file_path))
      .map((x) => x.file),
  }));
}
