/**
 * Commit-time validation for operations that must not be applied blindly on top of another
 * writer's commit (after Iceberg Java's `validateNoConflictingData`). A MERGE decides which rows
 * to replace by reading the table as of one snapshot; if another writer added data files after
 * that snapshot, those files may hold rows with the same keys, and committing the MERGE as
 * planned would leave both versions of those rows. So the MERGE is re-planned against the new
 * state instead.
 */
import { FloeError } from '../../errors.js';
import { currentSnapshot, type Snapshot, type SnapshotId, type TableMetadata } from '../spec/metadata.js';

/** Snapshots committed on the main branch after `since` (exclusive; all when undefined), oldest first. */
export function snapshotsSince(metadata: TableMetadata, since: SnapshotId | undefined): Snapshot[] {
  const out: Snapshot[] = [];
  const byId = new Map(metadata.snapshots.map((s) => [s['snapshot-id'], s]));
  let cur = currentSnapshot(metadata);
  while (cur && cur['snapshot-id'] !== since) {
    out.push(cur);
    const parent = cur['parent-snapshot-id'];
    cur = parent === undefined ? undefined : byId.get(parent);
  }
  return out.reverse();
}

/** Marks a commit that must be planned again on the fresh table state (not just retried). */
export const REPLAN = 'replan';
/** Marks a commit refused because it would remove data another writer added meanwhile. */
export const NEW_DATA = 'new-data';

/**
 * Throws a `commit-conflict` (context `reason: replan`) when a snapshot after `since` added data
 * files: the caller's plan, made as of `since`, may not cover rows those files hold.
 */
export function validateNoNewData(
  metadata: TableMetadata,
  since: SnapshotId | undefined,
  table: string,
  reason: typeof REPLAN | typeof NEW_DATA = REPLAN,
): void {
  const added = snapshotsSince(metadata, since).filter(
    (s) =>
      BigInt(s.summary['added-data-files'] ?? '0') > 0n || BigInt(s.summary['added-records'] ?? '0') > 0n,
  );
  if (added.length === 0) return;
  const snap = added[added.length - 1]!;
  const by = snap.summary['floe.run-id'] ? `run ${snap.summary['floe.run-id']}` : 'another writer';
  throw new FloeError(
    'commit-conflict',
    reason === REPLAN
      ? `${by} added data to ${table} (snapshot ${snap['snapshot-id']}) after this operation read it; it must be planned again`
      : `${by} added data to ${table} (snapshot ${snap['snapshot-id']}) while this overwrite ran; replacing the table now would delete those rows, so nothing was changed. Rerun once the other writer is done`,
    { context: { table, reason } },
  );
}

/**
 * For a MERGE (either mode): throws a `commit-conflict` (reason `replan`) when a snapshot after
 * `since` added data, added delete files or removed data files. New data may hold the merge's
 * keys; a removed (compacted or rewritten) file would leave the merge's position deletes pointing
 * at nothing and the rows they meant alive in the new file; new deletes may retire rows a
 * copy-on-write rewrite would bring back. Planning again on the new state is always right.
 */
export function validateNoConcurrentChange(
  metadata: TableMetadata,
  since: SnapshotId | undefined,
  table: string,
): void {
  validateNoNewData(metadata, since, table);
  const changed = snapshotsSince(metadata, since).filter(
    (s) =>
      BigInt(s.summary['added-delete-files'] ?? '0') > 0n ||
      BigInt(s.summary['deleted-data-files'] ?? '0') > 0n ||
      BigInt(s.summary['added-position-deletes'] ?? '0') > 0n,
  );
  if (changed.length === 0) return;
  const snap = changed[changed.length - 1]!;
  const by = snap.summary['floe.run-id'] ? `run ${snap.summary['floe.run-id']}` : 'another writer';
  throw new FloeError(
    'commit-conflict',
    `${by} deleted or rewrote rows of ${table} (snapshot ${snap['snapshot-id']}) after this operation read it; it must be planned again`,
    { context: { table, reason: REPLAN } },
  );
}
