/**
 * Compaction (after Iceberg Java's RewriteDataFiles with the bin-pack strategy): small data files
 * and data files with position deletes are rewritten, per partition, into files of about
 * `write.target-file-size-bytes` (default as writers use it: 128 MiB on S3, 64 MiB locally; see
 * write/file-layout.ts), with the deletes applied; the delete files
 * that applied only to rewritten files are dropped in the same `replace` snapshot. A file is a
 * candidate when it is smaller than the minimum size (75% of the target), larger than the maximum
 * (180%: it is split), or has deletes; a partition's candidates are rewritten when there are enough
 * of them (`minInputFiles`, default 5, as Iceberg), when together they exceed the target, or when
 * any has deletes or is too large. A group is rewritten as a write lays out one partition
 * (write/file-layout.ts writeLaidOut), in bounded memory whatever its size: in the table's sort
 * order when it declares one, range by range (write/sorted-write.ts), so the files are each sorted
 * and hold disjoint key ranges; otherwise in files DuckDB rolls at the target size. Files of an
 * older partition spec are partitioned anew by the current one (the row writer's routing).
 *
 * Concurrency: the rewrite is planned on one snapshot and committed with a compare-and-swap. If
 * another writer commits first, the commit is tried again on the new state, after checking what
 * that writer did: appends are kept as they are (they never touch the rewritten files); if it
 * removed a file the compaction rewrites, or added position deletes against one, committing would
 * bring deleted rows back (a lost update), so the compaction is planned again from the new state,
 * up to `maxReplans` times, then fails with a `commit-conflict` that says so. Nothing is changed
 * by a compaction that fails; the files it wrote are removed.
 */

import { releaseFreedMemory, sqlIdent, sqlString, withDuck } from '../../duck/session.js';
import { FloeError, isFloeError } from '../../errors.js';
import { scanRelation } from '../read/duck-relation.js';
import type { Expr } from '../read/expr.js';
import { type FileScanTask, planTasks } from '../read/scan.js';
import { type DataFile, EntryStatus } from '../spec/manifest.js';
import {
  currentSchema,
  currentSnapshot,
  defaultSpec,
  type SnapshotId,
  type TableMetadata,
} from '../spec/metadata.js';
import { mappingOf, type Schema } from '../spec/schema.js';
import { partitionPath } from '../spec/transforms.js';
import type { Table } from '../table.js';
import { commitSnapshot } from '../write/commit.js';
import { dataFileOf, fieldIdTree, writeDataFilesFromQuery } from '../write/data-writer.js';
import { duckType } from '../write/duck-types.js';
import { targetFileSize, writeLaidOut } from '../write/file-layout.js';
import { partitionTypeFor, readManifestEntries, readManifestList } from '../write/manifest-io.js';
import { deleteTarget } from '../write/position-deletes.js';
import { REPLAN, snapshotsSince } from '../write/validate.js';
import { writeOrder } from '../write/write-order.js';
import { canonicalPath } from './reachable.js';

export const DEFAULT_MIN_INPUT_FILES = 5;
const DEFAULT_MAX_REPLANS = 3;

export interface CompactOptions {
  /** Default: the table's `write.target-file-size-bytes`, else the writers' default (targetFileSize). */
  readonly targetFileSizeBytes?: number;
  /** Files smaller than this are candidates; default 75% of the target. */
  readonly minFileSizeBytes?: number;
  /** Files larger than this are split; default 180% of the target (as Iceberg). */
  readonly maxFileSizeBytes?: number;
  /** A partition's small files are rewritten from this many on; default 5. */
  readonly minInputFiles?: number;
  /** How many times to plan again after a concurrent writer changed the files; default 3. */
  readonly maxReplans?: number;
  readonly dryRun?: boolean;
  /** Only files that may hold rows matching this (Java's `where`); others are left as they are. */
  readonly filter?: Expr;
  /** Extra snapshot summary properties. */
  readonly summary?: Record<string, string>;
  /** Called after each group is written (progress). */
  readonly onGroup?: (done: number, total: number) => void;
  /**
   * Test hook: runs after the files are written and before the commit (a concurrent writer can
   * commit here).
   */
  readonly beforeCommit?: () => Promise<void>;
}

export interface CompactionGroup {
  readonly specId: number;
  readonly partition: Record<string, unknown>;
  readonly files: readonly DataFile[];
  /** Delete files applied while rewriting the group. */
  readonly deletes: readonly DataFile[];
  readonly bytes: bigint;
  /** Rows before deletes are applied. */
  readonly records: bigint;
}

export interface CompactionPlan {
  readonly snapshotId: SnapshotId | undefined;
  readonly groups: CompactionGroup[];
  readonly rewrittenFiles: number;
  readonly rewrittenBytes: bigint;
  /** Delete files that apply only to rewritten files: removed by the rewrite. */
  readonly removedDeleteFiles: DataFile[];
  /** Delete files applied but kept, because they also apply to files not rewritten. */
  readonly keptDeleteFiles: number;
}

export interface CompactResult {
  readonly plan: CompactionPlan;
  readonly addedFiles: number;
  readonly addedBytes: bigint;
  /** The `replace` snapshot, unless nothing needed compacting (or a dry run). */
  readonly snapshotId?: SnapshotId;
  readonly replans: number;
  readonly dryRun: boolean;
}

/** Plans a compaction of the table's current snapshot (reads manifests, writes nothing). */
export async function planCompaction(table: Table, opts: CompactOptions = {}): Promise<CompactionPlan> {
  const io = table.catalog.io;
  const metadata = table.metadata;
  const snapshot = currentSnapshot(metadata);
  const empty: CompactionPlan = {
    snapshotId: snapshot?.['snapshot-id'],
    groups: [],
    rewrittenFiles: 0,
    rewrittenBytes: 0n,
    removedDeleteFiles: [],
    keptDeleteFiles: 0,
  };
  if (!snapshot) return empty;
  const { target, minSize, maxSize, minInputFiles } = sizes(metadata, opts);
  const specOf = new Map<string, number>();
  const tasks = await planTasks(
    io,
    metadata,
    currentSchema(metadata),
    await readManifestList(io, snapshot['manifest-list']),
    undefined,
    table.name,
    (e, m) => {
      specOf.set(e.data_file.file_path, m.partition_spec_id);
      return true;
    },
  );
  const selected = opts.filter
    ? new Set(
        (
          await planTasks(
            io,
            metadata,
            currentSchema(metadata),
            await readManifestList(io, snapshot['manifest-list']),
            opts.filter,
            table.name,
          )
        ).map((t) => t.file.file_path),
      )
    : undefined;
  // Per partition (spec + tuple): the candidate files.
  const byPartition = new Map<string, FileScanTask[]>();
  for (const t of tasks) {
    if (selected && !selected.has(t.file.file_path)) continue;
    const small = t.file.file_size_in_bytes < BigInt(minSize);
    const big = t.file.file_size_in_bytes > BigInt(maxSize);
    if (!small && !big && t.deletes.length === 0) continue;
    const key = `${specOf.get(t.file.file_path)}|${stableKey(t.file.partition)}`;
    byPartition.set(key, [...(byPartition.get(key) ?? []), t]);
  }
  const chosen: { specId: number; tasks: FileScanTask[] }[] = [];
  for (const [key, group] of byPartition) {
    const total = group.reduce((a, t) => a + t.file.file_size_in_bytes, 0n);
    const enoughFiles = group.length > 1 && group.length >= minInputFiles;
    const enoughContent = group.length > 1 && total > BigInt(target);
    const hasDeletes = group.some((t) => t.deletes.length > 0);
    const tooBig = group.some((t) => t.file.file_size_in_bytes > BigInt(maxSize));
    if (enoughFiles || enoughContent || hasDeletes || tooBig)
      chosen.push({ specId: Number(key.split('|')[0]), tasks: group });
  }
  if (chosen.length === 0) return empty;

  // Delete files: dropped when every live data file they apply to is rewritten.
  const rewritten = new Set(chosen.flatMap((g) => g.tasks.map((t) => canonicalPath(t.file.file_path))));
  const live = new Set(tasks.map((t) => canonicalPath(t.file.file_path)));
  const applied = new Map<string, DataFile>();
  for (const g of chosen) for (const t of g.tasks) for (const d of t.deletes) applied.set(d.file_path, d);
  const removedDeleteFiles: DataFile[] = [];
  for (const d of applied.values()) {
    const targets = await deleteTargets(table, d);
    if (targets.every((p) => !live.has(p) || rewritten.has(p))) removedDeleteFiles.push(d);
  }
  const groups = chosen.map(({ specId, tasks: ts }) => ({
    specId,
    partition: ts[0]!.file.partition,
    files: ts.map((t) => t.file),
    deletes: [...new Map(ts.flatMap((t) => t.deletes).map((d) => [d.file_path, d])).values()],
    bytes: ts.reduce((a, t) => a + t.file.file_size_in_bytes, 0n),
    records: ts.reduce((a, t) => a + t.file.record_count, 0n),
  }));
  return {
    snapshotId: snapshot['snapshot-id'],
    groups,
    rewrittenFiles: groups.reduce((a, g) => a + g.files.length, 0),
    rewrittenBytes: groups.reduce((a, g) => a + g.bytes, 0n),
    removedDeleteFiles,
    keptDeleteFiles: applied.size - removedDeleteFiles.length,
  };
}

/** Compacts `table` (see the file comment); `table` is refreshed to the committed state. */
export async function compactTable(table: Table, opts: CompactOptions = {}): Promise<CompactResult> {
  const maxReplans = opts.maxReplans ?? DEFAULT_MAX_REPLANS;
  for (let replans = 0; ; replans++) {
    await table.refresh();
    const plan = await planCompaction(table, opts);
    if (opts.dryRun || plan.groups.length === 0)
      return { plan, addedFiles: 0, addedBytes: 0n, replans, dryRun: !!opts.dryRun };
    const start = table.metadata;
    const added = await rewriteGroups(table, start, plan, opts);
    let snapshotId: SnapshotId;
    try {
      await opts.beforeCommit?.();
      const remove = new Set([
        ...plan.groups.flatMap((g) => g.files.map((f) => f.file_path)),
        ...plan.removedDeleteFiles.map((d) => d.file_path),
      ]);
      const result = await commitSnapshot(
        table.catalog,
        table.identifier,
        { metadata: start, metadataLocation: table.metadataLocation },
        async (base) => {
          await validateNoConflictingDeletes(table, base, plan);
          return {
            operation: 'replace',
            addedDataFiles: added,
            remove,
            summary: { ...opts.summary },
          };
        },
      );
      snapshotId = result.snapshot['snapshot-id'];
    } catch (e) {
      // Only a conflict says for sure that nothing was committed; after any other error the
      // files may be in the table, so they are left for orphan removal to judge.
      if (!isFloeError(e, 'commit-conflict')) throw e;
      await Promise.all(added.map((f) => table.catalog.io.delete(f.file_path).catch(() => {})));
      if (e.context.reason === REPLAN && replans < maxReplans) continue;
      throw new FloeError(
        'commit-conflict',
        `compaction of ${table.name} did not commit: ${e.message}. Other writers kept changing the files it rewrites (${replans + 1} attempt(s)); nothing was changed. Run \`floe table maintain ${table.name}\` again when they are done`,
        { context: { table: table.name, reason: e.context.reason }, cause: e },
      );
    }
    await table.refresh();
    return {
      plan,
      addedFiles: added.length,
      addedBytes: added.reduce((a, f) => a + f.file_size_in_bytes, 0n),
      snapshotId,
      replans,
      dryRun: false,
    };
  }
}

function sizes(metadata: TableMetadata, opts: CompactOptions) {
  // The writers' target (file-layout.ts), so compaction never merges the files a write rolled.
  const target = opts.targetFileSizeBytes ?? targetFileSize(metadata);
  return {
    target,
    minSize: opts.minFileSizeBytes ?? Math.floor(target * 0.75),
    maxSize: opts.maxFileSizeBytes ?? Math.floor(target * 1.8),
    minInputFiles: Math.max(1, opts.minInputFiles ?? DEFAULT_MIN_INPUT_FILES),
  };
}

function stableKey(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x,
  );
}

/**
 * The data files a position delete file names (canonical paths): its `referenced_data_file`, else
 * its `file_path` bounds when they are equal (a file-scoped delete), else the paths it holds.
 */
async function deleteTargets(table: Table, d: DataFile): Promise<string[]> {
  const scoped = deleteTarget(d);
  if (scoped) return [canonicalPath(scoped)];
  const copy = await table.catalog.io.localCopy(d.file_path);
  try {
    const rows = await withDuck((duck) =>
      duck.json(`SELECT DISTINCT file_path FROM read_parquet(${sqlString(copy.path)})`),
    );
    return rows.map((r) => canonicalPath(String(r.file_path)));
  } finally {
    await copy.release();
  }
}

/**
 * Refuses (replan) a base in which a snapshot after the plan's added position deletes that may
 * apply to a file the compaction rewrites: committing would drop those deletes' effect.
 * Removed files are caught by the commit itself (a file to remove that is gone).
 */
async function validateNoConflictingDeletes(
  table: Table,
  base: TableMetadata,
  plan: CompactionPlan,
): Promise<void> {
  const since = snapshotsSince(base, plan.snapshotId);
  if (since.length === 0) return;
  const io = table.catalog.io;
  const rewritten = new Map<string, { specId: number; partition: string }>();
  for (const g of plan.groups)
    for (const f of g.files)
      rewritten.set(canonicalPath(f.file_path), { specId: g.specId, partition: stableKey(f.partition) });
  for (const s of since) {
    if (BigInt(s.summary['added-delete-files'] ?? '0') === 0n && s.summary.operation === 'append') continue;
    for (const m of await readManifestList(io, s['manifest-list'])) {
      if (m.content === 0 || m.added_snapshot_id !== s['snapshot-id']) continue;
      for (const e of await readManifestEntries(io, base, m)) {
        if (e.status !== EntryStatus.ADDED || e.snapshot_id !== s['snapshot-id']) continue;
        const d = e.data_file;
        const one = deleteTarget(d);
        const hits = one
          ? rewritten.has(canonicalPath(one))
          : [...rewritten.values()].some(
              (r) => r.specId === m.partition_spec_id && r.partition === stableKey(d.partition),
            );
        if (hits) {
          const by = s.summary['floe.run-id'] ? `run ${s.summary['floe.run-id']}` : 'another writer';
          throw new FloeError(
            'commit-conflict',
            `${by} deleted rows (snapshot ${s['snapshot-id']}) from a file of ${table.name} this compaction rewrites; it must be planned again`,
            { context: { table: table.name, file: d.file_path, reason: REPLAN } },
          );
        }
      }
    }
  }
}

/** Writes each group's live rows (deletes applied) as new files; returns them. */
async function rewriteGroups(
  table: Table,
  metadata: TableMetadata,
  plan: CompactionPlan,
  opts: CompactOptions,
): Promise<DataFile[]> {
  const io = table.catalog.io;
  const schema = currentSchema(metadata);
  const spec = defaultSpec(metadata);
  const { target } = sizes(metadata, opts);
  const order = writeOrder(metadata, schema);
  const out: DataFile[] = [];
  let done = 0;
  try {
    for (const g of plan.groups) {
      const tasks: FileScanTask[] = g.files.map((f) => ({
        file: f,
        deletes: g.deletes,
        sequenceNumber: 0n,
      }));
      await withDuck(async (duck) => {
        const rel = await scanRelation(
          duck,
          io,
          { snapshot: undefined, schema, tasks, ...mappingOf(table.metadata) },
          table.name,
        );
        try {
          // The scan SQL gives top-level binary columns as lowercase hex (reader.ts outputExpr).
          const cols = schema.fields.map((f) => {
            const bytes = f.type === 'binary' || (typeof f.type === 'string' && f.type.startsWith('fixed'));
            const c = bytes ? `unhex(${sqlIdent(f.name)})` : sqlIdent(f.name);
            return `CAST(${c} AS ${duckType(f.type)}) AS ${sqlIdent(f.name)}`;
          });
          const sql = `SELECT ${cols.join(', ')} FROM (${rel.sql}) AS s`;
          if (g.specId === spec['spec-id']) {
            // The group is one partition of the current spec: laid out as a write lays out one
            // partition (sorted range by range, or rolled), in bounded memory.
            out.push(
              ...(await writeLaidOut({
                duck,
                io,
                metadata,
                sql,
                order,
                fieldIds: fieldIdTree(schema),
                target,
                // Unsorted: as many files as the group's bytes make at the target, equal in rows.
                files: Math.max(1, Math.round(Number(g.bytes) / target)),
                partition: g.partition,
                dir: partitionDir(metadata, schema, g.partition),
                dataFile: (uri, size, partition, w) =>
                  dataFileOf(uri, size, partition, w, schema, metadata, order.sortOrderId),
              })),
            );
          } else {
            // Files of an older spec: their rows are partitioned anew by the current one.
            out.push(...(await writeDataFilesFromQuery(io, metadata, sql, { duck, table: table.name })));
          }
        } finally {
          await rel.release();
          // What the group's passes freed goes back before the next group (only memory: a
          // failure here changes nothing written).
          await releaseFreedMemory(duck).catch(() => {});
        }
      });
      opts.onGroup?.(++done, plan.groups.length);
    }
  } catch (e) {
    await Promise.all(out.map((f) => io.delete(f.file_path).catch(() => {})));
    if (isFloeError(e)) throw e.withContext({ table: table.name });
    throw new FloeError('data-invalid', `cannot compact ${table.name}: ${(e as Error).message}`, {
      context: { table: table.name },
      cause: e,
    });
  }
  return out;
}

/** The folder under data/ of a partition of the default spec (`a=1/b=2/`; '' unpartitioned). */
function partitionDir(metadata: TableMetadata, schema: Schema, partition: Record<string, unknown>): string {
  const spec = defaultSpec(metadata);
  if (spec.fields.length === 0) return '';
  const type = partitionTypeFor(metadata, spec['spec-id'], schema);
  return `${type.map((p, i) => partitionPath(spec.fields[i]!.transform, p.type, spec.fields[i]!.name, partition[p.name])).join('/')}/`;
}
