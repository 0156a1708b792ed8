/**
 * Expire snapshots (after Iceberg Java's RemoveSnapshots and its reachable-file cleanup). Which
 * snapshots stay:
 * - every ref's head (branches and tags); a tag whose `max-ref-age-ms` has passed is dropped
 *   (never `main`);
 * - on each branch, ancestors of the head while they are younger than the cutoff OR the branch
 *   has fewer than its minimum number of snapshots (ref `max-snapshot-age-ms` /
 *   `min-snapshots-to-keep`, else the options, else the table's `history.expire.*` properties:
 *   5 days and 1, as Iceberg);
 * - snapshots on no branch (rolled back) younger than the cutoff.
 * The rest are removed from the metadata in one compare-and-swap commit (planned again on the
 * fresh metadata if another writer commits first), and only then are the files that ONLY they
 * reached deleted: their manifest lists, manifests no kept snapshot lists, and data and delete
 * files no kept snapshot holds live. Nothing a kept snapshot (or a commit that landed meanwhile)
 * can read is deleted: the kept set is computed again from the metadata as committed.
 */
import { FloeError, isFloeError } from '../../errors.js';
import { identifierString } from '../catalog/catalog.js';
import { commitMetadata } from '../catalog/metastore.js';
import type { Snapshot, SnapshotId, SnapshotRef, TableMetadata } from '../spec/metadata.js';
import { snapshotById } from '../spec/metadata.js';
import type { Table } from '../table.js';
import { reachableFrom } from './reachable.js';

export const DEFAULT_MAX_SNAPSHOT_AGE_MS = 5 * 24 * 3600 * 1000;
export const DEFAULT_MIN_SNAPSHOTS_TO_KEEP = 1;

export interface ExpireOptions {
  /** Snapshots older than this (ms since the epoch) may expire; default now − `history.expire.max-snapshot-age-ms`. */
  readonly olderThanMs?: number;
  /** Instead of `olderThanMs`: snapshots older than this age when the expiry runs may expire. */
  readonly maxSnapshotAgeMs?: number;
  /** Keep at least this many snapshots on each branch; default `history.expire.min-snapshots-to-keep`. */
  readonly retainLast?: number;
  /** Plan only: commit nothing, delete nothing. */
  readonly dryRun?: boolean;
  readonly now?: number;
  /** Called once per file deleted (progress). */
  readonly onDelete?: (uri: string) => void;
}

export interface FileRemoval {
  readonly uri: string;
  readonly kind: 'manifest-list' | 'manifest' | 'data' | 'delete';
  readonly bytes: bigint;
}

export interface ExpireResult {
  readonly expiredSnapshots: SnapshotId[];
  readonly retainedSnapshots: number;
  readonly droppedRefs: string[];
  /** Files deleted (or, on a dry run, that would be). */
  readonly files: FileRemoval[];
  readonly dryRun: boolean;
}

/** The snapshots and refs `metadata` keeps under the options (pure). */
export function planRetention(
  metadata: TableMetadata,
  opts: Pick<ExpireOptions, 'olderThanMs' | 'maxSnapshotAgeMs' | 'retainLast' | 'now'> = {},
): { keep: Set<SnapshotId>; refs: Record<string, SnapshotRef>; droppedRefs: string[] } {
  const now = opts.now ?? Date.now();
  const props = metadata.properties;
  const maxAge = Number(props['history.expire.max-snapshot-age-ms'] ?? DEFAULT_MAX_SNAPSHOT_AGE_MS);
  const minKeep = Number(props['history.expire.min-snapshots-to-keep'] ?? DEFAULT_MIN_SNAPSHOTS_TO_KEEP);
  const maxRefAge = props['history.expire.max-ref-age-ms'];
  const defaultCutoff = opts.olderThanMs ?? now - (opts.maxSnapshotAgeMs ?? maxAge);
  const defaultMinKeep = Math.max(1, opts.retainLast ?? minKeep);

  const refs: Record<string, SnapshotRef> = {};
  const droppedRefs: string[] = [];
  const keep = new Set<SnapshotId>();
  const allRefs: [string, SnapshotRef][] = Object.entries(metadata.refs);
  const current = metadata['current-snapshot-id'];
  if (!metadata.refs.main && current !== undefined)
    allRefs.push(['main', { 'snapshot-id': current, type: 'branch' }]);
  for (const [name, ref] of allRefs) {
    const head = snapshotById(metadata, ref['snapshot-id']);
    if (!head) continue; // a dangling ref; leave it to the catalog
    const refAge = ref['max-ref-age-ms'] ?? (maxRefAge === undefined ? undefined : Number(maxRefAge));
    if (name !== 'main' && refAge !== undefined && now - head['timestamp-ms'] > refAge) {
      droppedRefs.push(name);
      continue;
    }
    if (metadata.refs[name]) refs[name] = ref;
    keep.add(head['snapshot-id']);
    if (ref.type !== 'branch') continue;
    const cutoff =
      ref['max-snapshot-age-ms'] !== undefined ? now - ref['max-snapshot-age-ms'] : defaultCutoff;
    const min = Math.max(1, ref['min-snapshots-to-keep'] ?? defaultMinKeep);
    let kept = 0;
    let cur: Snapshot | undefined = head;
    while (cur) {
      if (kept >= min && cur['timestamp-ms'] < cutoff) break;
      keep.add(cur['snapshot-id']);
      kept++;
      const parent: SnapshotId | undefined = cur['parent-snapshot-id'];
      cur = parent === undefined ? undefined : snapshotById(metadata, parent);
    }
  }
  // Snapshots on no ref's history (rolled back, or staged) age out by the default cutoff alone.
  const onBranches = new Set<SnapshotId>();
  for (const [, ref] of allRefs) {
    let cur = snapshotById(metadata, ref['snapshot-id']);
    while (cur) {
      onBranches.add(cur['snapshot-id']);
      const parent = cur['parent-snapshot-id'];
      cur = parent === undefined ? undefined : snapshotById(metadata, parent);
    }
  }
  for (const s of metadata.snapshots)
    if (!onBranches.has(s['snapshot-id']) && s['timestamp-ms'] >= defaultCutoff) keep.add(s['snapshot-id']);
  return { keep, refs, droppedRefs };
}

/** `metadata` without the snapshots outside `keep` (logs, refs and statistics kept consistent). */
export function withoutSnapshots(
  metadata: TableMetadata,
  keep: ReadonlySet<SnapshotId>,
  refs: Record<string, SnapshotRef>,
  now = Date.now(),
): TableMetadata {
  // As Java's updateSnapshotLog: history before a removed entry is no longer a valid history.
  const log: TableMetadata['snapshot-log'][number][] = [];
  for (const e of metadata['snapshot-log']) {
    if (keep.has(e['snapshot-id'])) log.push(e);
    else log.length = 0;
  }
  const stats = (metadata.statistics ?? []).filter((s) =>
    keep.has(BigInt((s as { 'snapshot-id': bigint | number })['snapshot-id'])),
  );
  const extra = metadata as TableMetadata & { 'partition-statistics'?: { 'snapshot-id': bigint }[] };
  return {
    ...metadata,
    snapshots: metadata.snapshots.filter((s) => keep.has(s['snapshot-id'])),
    'snapshot-log': log,
    refs,
    ...(metadata.statistics ? { statistics: stats } : {}),
    ...(extra['partition-statistics']
      ? {
          'partition-statistics': extra['partition-statistics'].filter((s) =>
            keep.has(BigInt(s['snapshot-id'])),
          ),
        }
      : {}),
    'last-updated-ms': Math.max(now, metadata['last-updated-ms']),
  } as TableMetadata;
}

/** Expires `table`'s old snapshots and deletes the files only they reached; `table` is refreshed. */
export async function expireSnapshots(table: Table, opts: ExpireOptions = {}): Promise<ExpireResult> {
  const name = table.name;
  for (let attempt = 1; ; attempt++) {
    await table.refresh();
    const base = table.metadata;
    const { keep, refs, droppedRefs } = planRetention(base, opts);
    const expired = base.snapshots.filter((s) => !keep.has(s['snapshot-id']));
    if (expired.length === 0 && droppedRefs.length === 0)
      return {
        expiredSnapshots: [],
        retainedSnapshots: keep.size,
        droppedRefs,
        files: [],
        dryRun: !!opts.dryRun,
      };
    if (opts.dryRun) {
      const files = await unreachableFiles(
        table,
        base,
        expired,
        base.snapshots.filter((s) => keep.has(s['snapshot-id'])),
      );
      return {
        expiredSnapshots: expired.map((s) => s['snapshot-id']),
        retainedSnapshots: keep.size,
        droppedRefs,
        files,
        dryRun: true,
      };
    }
    const next = withoutSnapshots(base, keep, refs, opts.now);
    try {
      await commitMetadata(table.catalog, table.identifier, table.metadataLocation, next);
    } catch (e) {
      if (isFloeError(e, 'commit-conflict') && e.retryable && attempt < 10) continue;
      if (isFloeError(e)) throw e.withContext({ table: name });
      throw e;
    }
    // What is kept is read from the table as it is now (a commit may have landed since ours).
    await table.refresh();
    const files = await unreachableFiles(table, table.metadata, expired, table.metadata.snapshots);
    for (const f of files) {
      await table.catalog.io.delete(f.uri);
      opts.onDelete?.(f.uri);
    }
    return {
      expiredSnapshots: expired.map((s) => s['snapshot-id']),
      retainedSnapshots: table.metadata.snapshots.length,
      droppedRefs,
      files,
      dryRun: false,
    };
  }
}

/** Files `expired` reach that none of `kept` does. */
async function unreachableFiles(
  table: Table,
  metadata: TableMetadata,
  expired: readonly Snapshot[],
  kept: readonly Snapshot[],
): Promise<FileRemoval[]> {
  const io = table.catalog.io;
  const keptIds = new Set(kept.map((s) => s['snapshot-id']));
  const gone = expired.filter((s) => !keptIds.has(s['snapshot-id']));
  let retained: Awaited<ReturnType<typeof reachableFrom>>;
  let old: Awaited<ReturnType<typeof reachableFrom>>;
  try {
    retained = await reachableFrom(io, metadata, kept);
    old = await reachableFrom(io, metadata, gone, retained.manifests);
  } catch (e) {
    throw new FloeError(
      isFloeError(e) ? e.kind : 'io',
      `table ${identifierString(table.identifier)}: cannot list the files of its snapshots (${(e as Error).message}); nothing was deleted. Check the file named in the error, then run maintenance again`,
      { context: { table: table.name }, cause: e },
    );
  }
  const out: FileRemoval[] = [];
  for (const [key, uri] of old.manifestLists)
    if (!retained.manifestLists.has(key)) out.push({ uri, kind: 'manifest-list', bytes: 0n });
  for (const [key, m] of old.manifests)
    if (!retained.manifests.has(key))
      out.push({ uri: m.manifest_path, kind: 'manifest', bytes: m.manifest_length });
  for (const [key, f] of old.files)
    if (!retained.files.has(key))
      out.push({ uri: f.file_path, kind: f.content === 0 ? 'data' : 'delete', bytes: f.file_size_in_bytes });
  return out;
}
