/**
 * A table handle: the metadata it last saw, and the operations floe performs on it. Writes
 * return a new handle state (they refresh `this`), reads take a snapshot of the current state.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { Duck } from '../duck/session.js';
import { isFloeError } from '../errors.js';
import type { Catalog, TableIdentifier } from './catalog/catalog.js';
import { identifierString } from './catalog/catalog.js';
import { commitMetadata } from './catalog/metastore.js';
import type { Expr } from './read/expr.js';
import { incrementalScan } from './read/incremental.js';
import { Scan, type ScanOptions } from './read/scan.js';
import type { DataFile } from './spec/manifest.js';
import {
  ancestors,
  currentSchema,
  currentSnapshot,
  defaultSpec,
  type Snapshot,
  type TableMetadata,
  withSortOrder,
} from './spec/metadata.js';
import type { PartitionSpec } from './spec/partition.js';
import type { Schema } from './spec/schema.js';
import { defaultSortOrder, type SortFieldInput, type SortOrder, sortOrderFor } from './spec/sort-order.js';
import { type CommitResult, commitSnapshot } from './write/commit.js';
import {
  isNdjsonInput,
  type RowInput,
  rowGroupRows,
  type WriteOptions,
  writeDataFilesFromQuery,
  writeRows,
} from './write/data-writer.js';
import { refuseRowsOutside, writeDeleteWhere } from './write/delete-rows.js';
import { type MergeOptions, writeMerge } from './write/merge.js';
import { type QueryMergeOptions, type QueryMergePlan, writeMergeFromQuery } from './write/query-merge.js';
import { filesInPartitionsOf } from './write/replace-partitions.js';
import { type SkipExisting, writeSkippingExisting } from './write/skip-existing.js';
import { type StagedRows, stagedDataFiles } from './write/staged-query.js';
import { applySchemaUpdate, type SchemaUpdate } from './write/update-schema.js';
import { NEW_DATA, REPLAN, validateNoConcurrentChange, validateNoNewData } from './write/validate.js';

export interface WriteResult {
  readonly snapshot: Snapshot;
  readonly dataFiles: number;
  readonly records: bigint;
  readonly attempts: number;
}

export interface CommitOptions {
  /** Extra snapshot summary properties (floe writes its run id and sync cursor here). */
  readonly summary?: Record<string, string>;
  /**
   * Checked against the table state each commit attempt is made on; throw to abandon the commit
   * (e.g. when a concurrent writer did something this one must not be applied on top of).
   */
  readonly validate?: (base: TableMetadata) => void;
  /** Checked before the commit: an aborted signal abandons it (the written files are removed). */
  readonly signal?: AbortSignal;
}

/** How many times a MERGE (or DELETE, OVERWRITE by filter) is planned again after concurrent commits. */
const MERGE_REPLANS = 12;

/**
 * A jittered, growing pause before planning again (20 ms … 2 s), so writers that keep colliding
 * on the same table spread out instead of re-planning in lockstep and starving each other.
 */
function replanPause(replans: number): Promise<void> {
  const wait = Math.min(2000, 20 * 2 ** replans);
  return sleep(wait / 2 + Math.random() * (wait / 2));
}

export class Table {
  constructor(
    readonly catalog: Catalog,
    readonly identifier: TableIdentifier,
    private state: { metadata: TableMetadata; metadataLocation: string },
  ) {}

  get name(): string {
    return identifierString(this.identifier);
  }
  get metadata(): TableMetadata {
    return this.state.metadata;
  }
  get metadataLocation(): string {
    return this.state.metadataLocation;
  }
  schema(): Schema {
    return currentSchema(this.state.metadata);
  }
  spec(): PartitionSpec {
    return defaultSpec(this.state.metadata);
  }
  currentSnapshot(): Snapshot | undefined {
    return currentSnapshot(this.state.metadata);
  }
  /** All snapshots, oldest first. */
  snapshots(): readonly Snapshot[] {
    return this.state.metadata.snapshots;
  }
  /** The main branch's history: snapshots that were current, oldest first. */
  history(): Snapshot[] {
    return ancestors(this.state.metadata, this.currentSnapshot()?.['snapshot-id']).reverse();
  }

  async refresh(): Promise<this> {
    this.state = await this.catalog.loadTableMetadata(this.identifier);
    return this;
  }

  /**
   * Fast append: new data files in one snapshot; never conflicts with other writers. With
   * `skipExisting` (NDJSON input), rows the table already holds are not appended again (see
   * write/skip-existing.ts); `skippedRows` says how many.
   */
  async append(
    rows: RowInput,
    opts: WriteOptions & CommitOptions & { readonly skipExisting?: SkipExisting } = {},
  ): Promise<WriteResult & { skippedRows?: number }> {
    const io = this.catalog.io;
    const metadata = this.state.metadata;
    if (opts.skipExisting && isNdjsonInput(rows)) {
      const { files, skipped } = await writeSkippingExisting(
        io,
        metadata,
        rows.ndjson,
        opts.skipExisting,
        (sql, rowGroupSize) =>
          writeDataFilesFromQuery(io, metadata, sql, {
            ...opts,
            table: this.name,
            ...(rowGroupSize ? { rowGroupSize } : {}),
          }),
        (bytes) => rowGroupRows(bytes, opts.expectedRows),
        rows.convert,
      );
      const r = await this.commitFiles('append', files, undefined, opts);
      const total = opts.expectedRows;
      return skipped && total !== undefined ? { ...r, skippedRows: total - Number(r.records) } : r;
    }
    const files = await writeRows(io, metadata, rows, { ...opts, table: this.name });
    return this.commitFiles('append', files, undefined, opts);
  }

  /**
   * Fast append of a DuckDB query's rows (columns named like the table's): the columnar path,
   * no JavaScript per row. Run it in the process's DuckDB (see src/duck/session.ts).
   */
  async appendQuery(selectSql: string, opts: WriteOptions & CommitOptions = {}): Promise<WriteResult> {
    const files = await writeDataFilesFromQuery(this.catalog.io, this.state.metadata, selectSql, {
      ...opts,
      table: this.name,
    });
    return this.commitFiles('append', files, undefined, opts);
  }

  /**
   * Replaces every row of the table with a DuckDB query's rows (columns named like the table's),
   * in one snapshot: the columnar OVERWRITE. Refused, like `overwrite`, when another writer added
   * data after this handle last read the table.
   */
  async overwriteQuery(selectSql: string, opts: WriteOptions & CommitOptions = {}): Promise<WriteResult> {
    const since = this.currentSnapshot()?.['snapshot-id'];
    const files = await writeDataFilesFromQuery(this.catalog.io, this.state.metadata, selectSql, {
      ...opts,
      table: this.name,
    });
    return this.commitFiles(files.length ? 'overwrite' : 'delete', files, 'all', {
      ...opts,
      validate: (m) => {
        opts.validate?.(m);
        validateNoNewData(m, since, this.name, NEW_DATA);
      },
    });
  }

  /**
   * Upsert of a DuckDB query's rows by key (see write/query-merge.ts), in one snapshot; planned
   * again, like `merge`, when another writer adds data before the commit lands. A merge that
   * changes nothing still commits an empty snapshot, so its summary records the run.
   */
  async mergeQuery(
    selectSql: string,
    opts: QueryMergeOptions & CommitOptions,
  ): Promise<WriteResult & { plan: QueryMergePlan; replans: number }> {
    return this.withReplans(opts, async (base, validate) => {
      const plan = await writeMergeFromQuery(this.catalog.io, base, selectSql, { ...opts, table: this.name });
      const r = await this.commitFiles(
        plan.removed.size || plan.addedDeletes.length ? 'overwrite' : 'append',
        plan.added,
        plan.removed.size ? plan.removed : undefined,
        { ...opts, deleteFiles: plan.addedDeletes, validate },
      );
      return { ...r, plan };
    });
  }

  /** Fast append of staged rows (see write/staged-query.ts), in one snapshot. */
  async appendStaged(staged: StagedRows, opts: CommitOptions & { duck?: Duck } = {}): Promise<WriteResult> {
    const files = await stagedDataFiles(this.catalog.io, this.state.metadata, staged, {
      table: this.name,
      ...opts,
    });
    return this.commitFiles('append', files, undefined, opts);
  }

  /** Replaces every row with staged rows, in one snapshot (refused like `overwrite` over new data). */
  async overwriteStaged(
    staged: StagedRows,
    opts: CommitOptions & { duck?: Duck } = {},
  ): Promise<WriteResult> {
    const since = this.currentSnapshot()?.['snapshot-id'];
    const files = await stagedDataFiles(this.catalog.io, this.state.metadata, staged, {
      table: this.name,
      ...opts,
    });
    return this.commitFiles(files.length ? 'overwrite' : 'delete', files, 'all', {
      ...opts,
      validate: (m) => {
        opts.validate?.(m);
        validateNoNewData(m, since, this.name, NEW_DATA);
      },
    });
  }

  /**
   * Upsert of staged rows by key. Into a table that holds no data yet, the staged files are
   * adopted as they are (no key can match); if data arrives before the commit, or the table has
   * data, it is a `mergeQuery` over the staged rows.
   */
  async mergeStaged(
    staged: StagedRows,
    opts: QueryMergeOptions & CommitOptions & { duck?: Duck },
  ): Promise<WriteResult & { plan: QueryMergePlan; replans: number }> {
    const snap = this.currentSnapshot();
    if (!snap || snap.summary['total-data-files'] === '0') {
      const since = snap?.['snapshot-id'];
      try {
        const r = await this.appendStaged(staged, {
          ...opts,
          validate: (m) => {
            validateNoNewData(m, since, this.name);
            opts.validate?.(m);
          },
        });
        const rows = staged.rows;
        return {
          ...r,
          plan: {
            added: [],
            addedDeletes: [],
            removed: new Set(),
            inputRows: rows,
            writtenRows: rows,
            matchedRows: 0n,
            unchangedRows: 0n,
          },
          replans: 0,
        };
      } catch (e) {
        if (!isFloeError(e, 'commit-conflict') || e.context.reason !== REPLAN) throw e;
        await this.refresh();
      }
    }
    return this.mergeQuery(staged.sql, opts);
  }

  /** The schema `update` would give the table, without committing anything. */
  previewSchema(update: SchemaUpdate): Schema {
    return currentSchema(applySchemaUpdate(this.state.metadata, update, this.name));
  }

  /** Replaces every row of the table with `rows`, in one snapshot. */
  async overwrite(rows: RowInput, opts: WriteOptions & CommitOptions = {}): Promise<WriteResult> {
    const since = this.currentSnapshot()?.['snapshot-id'];
    const files = await writeRows(this.catalog.io, this.state.metadata, rows, {
      ...opts,
      table: this.name,
    });
    // Replacing every row must not delete rows another writer added after this overwrite read
    // the table (Iceberg's validateNoConflictingData for a whole-table overwrite): fail instead.
    return this.commitFiles(files.length ? 'overwrite' : 'delete', files, 'all', {
      ...opts,
      validate: (m) => {
        opts.validate?.(m);
        validateNoNewData(m, since, this.name, NEW_DATA);
      },
    });
  }

  /**
   * Upsert by key: input deduplicated by `keys` (last by `orderBy` wins), rows with those keys
   * replaced (position deletes, or rewrites with `write.merge.mode` copy-on-write; see
   * write/replace-rows.ts), all in one snapshot. The plan (which files hold the input keys) is
   * made as of the current snapshot; if another writer adds data or removes a planned file
   * before the commit lands, the merge is planned again on the new state (validate.ts), so it is
   * never applied blindly on top of another writer's rows: no update is lost or applied twice,
   * and no key ends up twice.
   */
  async merge(
    rows: RowInput,
    opts: MergeOptions & CommitOptions,
  ): Promise<WriteResult & { matchedRows: bigint; replans: number }> {
    return this.withReplans(opts, async (base, validate) => {
      const plan = await writeMerge(this.catalog.io, base, rows, { ...opts, table: this.name });
      const r = await this.commitFiles(
        plan.removed.size || plan.addedDeletes.length ? 'overwrite' : 'append',
        plan.added,
        plan.removed.size ? plan.removed : undefined,
        { ...opts, deleteFiles: plan.addedDeletes, validate },
      );
      return { ...r, matchedRows: plan.matchedRows };
    });
  }

  /**
   * Row-level DELETE: the live rows for which `filter` is true leave the table in one snapshot
   * (write/delete-rows.ts: position deletes by default, `write.delete.mode` copy-on-write
   * rewrites; files whose every row matches are removed whole). Planned again, like a MERGE,
   * when another writer changes the table before the commit lands. Deleting nothing commits
   * nothing (`snapshot` is then the current one).
   */
  async deleteWhere(
    filter: Expr,
    opts: CommitOptions = {},
  ): Promise<WriteResult & { deletedRows: bigint; replans: number }> {
    return this.withReplans(opts, async (base, validate) => {
      const plan = await writeDeleteWhere(this.catalog.io, base, filter, this.name);
      const current = this.currentSnapshot();
      if (plan.deletedRows === 0n && current)
        return { snapshot: current, dataFiles: 0, records: 0n, attempts: 0, deletedRows: 0n };
      const r = await this.commitFiles(
        plan.rewritten.length || plan.deleteFiles.length ? 'overwrite' : 'delete',
        plan.rewritten,
        plan.removed.size ? plan.removed : undefined,
        { ...opts, deleteFiles: plan.deleteFiles, validate },
      );
      return { ...r, deletedRows: plan.deletedRows };
    });
  }

  /**
   * Replaces the rows matching `filter` with `rows`, in one snapshot (Iceberg's overwrite by row
   * filter). Every new row must match the filter (otherwise the table would gain rows outside
   * the range it replaced): a row that does not is refused before anything is committed.
   */
  async overwriteWhere(
    filter: Expr,
    rows: RowInput,
    opts: WriteOptions & CommitOptions = {},
  ): Promise<WriteResult & { deletedRows: bigint; replans: number }> {
    const io = this.catalog.io;
    return this.withReplans(opts, async (base, validate) => {
      const files = await writeRows(io, base, rows, { ...opts, table: this.name });
      let plan: Awaited<ReturnType<typeof writeDeleteWhere>>;
      try {
        await refuseRowsOutside(io, currentSchema(base), files, filter, this.name);
        plan = await writeDeleteWhere(io, base, filter, this.name);
      } catch (e) {
        await Promise.all(files.map((f) => io.delete(f.file_path).catch(() => {})));
        throw e;
      }
      const r = await this.commitFiles(
        'overwrite',
        [...files, ...plan.rewritten],
        plan.removed.size ? plan.removed : undefined,
        { ...opts, deleteFiles: plan.deleteFiles, validate },
      );
      return { ...r, deletedRows: plan.deletedRows };
    });
  }

  /**
   * Dynamic partition overwrite (Iceberg's ReplacePartitions): `rows` replace every row of the
   * partitions they fall in, in one `overwrite` snapshot; other partitions keep their rows. On an
   * unpartitioned table this replaces the whole table. Planned again, like a MERGE, when another
   * writer changes the table before the commit lands, so the partitions end holding exactly
   * `rows`. No rows: nothing is committed (`snapshot` is then the current one).
   */
  async overwritePartitions(
    rows: RowInput,
    opts: WriteOptions & CommitOptions = {},
  ): Promise<WriteResult & { replacedFiles: number; replans: number }> {
    return this.replacePartitions(
      (base) => writeRows(this.catalog.io, base, rows, { ...opts, table: this.name }),
      opts,
    );
  }

  /** `overwritePartitions` with a DuckDB query's rows (columns named like the table's). */
  async overwritePartitionsQuery(
    selectSql: string,
    opts: WriteOptions & CommitOptions = {},
  ): Promise<WriteResult & { replacedFiles: number; replans: number }> {
    return this.replacePartitions(
      (base) => writeDataFilesFromQuery(this.catalog.io, base, selectSql, { ...opts, table: this.name }),
      opts,
    );
  }

  private replacePartitions(
    write: (base: TableMetadata) => Promise<DataFile[]>,
    opts: CommitOptions,
  ): Promise<WriteResult & { replacedFiles: number; replans: number }> {
    const io = this.catalog.io;
    return this.withReplans(opts, async (base, validate) => {
      const files = await write(base);
      const current = currentSnapshot(base);
      if (files.length === 0 && current)
        return { snapshot: current, dataFiles: 0, records: 0n, attempts: 0, replacedFiles: 0 };
      let remove: 'all' | Set<string>;
      try {
        remove = defaultSpec(base).fields.length === 0 ? 'all' : await filesInPartitionsOf(io, base, files);
      } catch (e) {
        await Promise.all(files.map((f) => io.delete(f.file_path).catch(() => {})));
        throw e;
      }
      const r = await this.commitFiles(
        'overwrite',
        files,
        remove === 'all' || remove.size ? remove : undefined,
        {
          ...opts,
          validate,
        },
      );
      return { ...r, replacedFiles: Number(r.snapshot.summary['deleted-data-files'] ?? '0') };
    });
  }

  /**
   * Runs `attempt` (plan against `base`, then commit with `validate`) until it commits. When a
   * concurrent commit means the plan is stale (validate.ts: new data, new deletes, removed files),
   * it pauses and plans again on the fresh state, up to MERGE_REPLANS times; then the conflict
   * is the caller's.
   */
  private async withReplans<T>(
    opts: CommitOptions,
    attempt: (base: TableMetadata, validate: (m: TableMetadata) => void) => Promise<T>,
  ): Promise<T & { replans: number }> {
    for (let replans = 0; ; replans++) {
      const base = this.state.metadata;
      const since = currentSnapshot(base)?.['snapshot-id'];
      try {
        const r = await attempt(base, (m) => {
          validateNoConcurrentChange(m, since, this.name);
          opts.validate?.(m);
        });
        return { ...r, replans };
      } catch (e) {
        if (!isFloeError(e, 'commit-conflict') || e.context.reason !== REPLAN || replans >= MERGE_REPLANS)
          throw e;
        await replanPause(replans);
        await this.refresh();
      }
    }
  }

  /**
   * Commits already written data files (and position delete files, and optionally removes files)
   * as one snapshot; the written files are deleted again if the commit fails.
   */
  async commitFiles(
    operation: 'append' | 'overwrite' | 'delete',
    files: readonly DataFile[],
    remove: 'all' | ReadonlySet<string> | undefined,
    opts: CommitOptions & { readonly deleteFiles?: readonly DataFile[] } = {},
  ): Promise<WriteResult> {
    const deleteFiles = opts.deleteFiles ?? [];
    let result: CommitResult;
    try {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
      result = await commitSnapshot(
        this.catalog,
        this.identifier,
        this.state,
        () => ({
          operation,
          addedDataFiles: files,
          addedDeleteFiles: deleteFiles,
          remove,
          summary: opts.summary,
        }),
        opts.validate,
      );
    } catch (e) {
      await Promise.all(
        [...files, ...deleteFiles].map((f) => this.catalog.io.delete(f.file_path).catch(() => {})),
      );
      throw e;
    }
    this.state = { metadata: result.metadata, metadataLocation: result.metadataLocation };
    return {
      snapshot: result.snapshot,
      dataFiles: files.length,
      records: files.reduce((a, f) => a + f.record_count, 0n),
      attempts: result.attempts,
    };
  }

  /** Adds columns / widens types; a no-op update commits nothing. */
  async updateSchema(update: SchemaUpdate): Promise<Schema> {
    await this.commitMetadataChange((m) => applySchemaUpdate(m, update, this.name));
    return this.schema();
  }

  /**
   * Makes `fields` the table's default sort order (spec §Sort Orders; [] = unsorted): writes from
   * now on sort their rows by it and record its id in their data files; existing files are left
   * as they are (compaction rewrites them in the new order). The same order again commits nothing.
   */
  async replaceSortOrder(fields: readonly SortFieldInput[]): Promise<SortOrder> {
    await this.commitMetadataChange((m) => {
      let order: SortOrder;
      try {
        order = sortOrderFor(currentSchema(m), fields);
      } catch (e) {
        if (isFloeError(e)) throw e.withContext({ table: this.name });
        throw e;
      }
      const next = withSortOrder(m, order);
      return next['default-sort-order-id'] === m['default-sort-order-id'] &&
        JSON.stringify(next['sort-orders']) === JSON.stringify(m['sort-orders'])
        ? m
        : next;
    });
    return this.sortOrder();
  }

  /** The default sort order (order 0, no fields, when the table is unsorted). */
  sortOrder(): SortOrder {
    return defaultSortOrder(this.state.metadata);
  }

  /** Commits `change(current metadata)` (retried on a lost race); unchanged metadata commits nothing. */
  private async commitMetadataChange(change: (m: TableMetadata) => TableMetadata): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const next = change(this.state.metadata);
      if (next === this.state.metadata) return;
      try {
        const written = await commitMetadata(
          this.catalog,
          this.identifier,
          this.state.metadataLocation,
          next,
        );
        this.state = { metadata: written.metadata, metadataLocation: written.location };
        return;
      } catch (e) {
        if (attempt > 10 || !(e instanceof Error && 'retryable' in e && e.retryable)) throw e;
        await this.refresh();
      }
    }
  }

  scan(opts: ScanOptions = {}): Scan {
    return new Scan(this.catalog.io, this.state.metadata, opts, this.name);
  }

  /** Rows appended after snapshot `from` (exclusive) up to `to` (inclusive, default current). */
  incremental(
    fromSnapshotId: bigint | undefined,
    toSnapshotId?: bigint,
    opts: Omit<ScanOptions, 'snapshotId' | 'asOfMs'> = {},
  ): Scan {
    return incrementalScan(
      this.catalog.io,
      this.state.metadata,
      fromSnapshotId,
      toSnapshotId,
      opts,
      this.name,
    );
  }
}
