/**
 * What changed in a table between two snapshots of its main branch, as rows: the rows of the data
 * files added after `from` that are still live at `to`, minus the rows of the files that were live
 * at `from` and are gone at `to`. Unlike an incremental append scan (incremental.ts) this covers
 * every operation: a copy-on-write MERGE rewrites a file without the replaced rows and adds the
 * new versions, and an OVERWRITE replaces every file; in both, the carried-over rows appear in
 * the added files and in the removed ones and cancel out, so what remains is exactly the new or
 * changed rows. A merge-on-read MERGE leaves the old file and adds position deletes: the rows
 * those deletes remove are the removed side, so an unchanged row written again cancels out the
 * same way. Columns that differ between copies of an unchanged row (ingest time, run id) can be
 * left out of the comparison.
 *
 * A range is only answered when `from` is an ancestor of `to` and its manifests are still there:
 * otherwise (snapshots expired, table rolled back or replaced) planning fails with reason
 * `range-unavailable`, and the caller decides what to read instead.
 */
import { FloeError, isFloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import {
  ancestors,
  currentSnapshot,
  type Snapshot,
  schemaById,
  snapshotById,
  type TableMetadata,
} from '../spec/metadata.js';
import type { Schema } from '../spec/schema.js';
import { readManifestList } from '../write/manifest-io.js';
import { type FileScanTask, planTasks } from './scan.js';

/** Context reason of the error raised when a snapshot range cannot be read as changes. */
export const RANGE_UNAVAILABLE = 'range-unavailable';

export interface ChangePlan {
  /** The start of the range (exclusive); undefined = the table's beginning. */
  readonly from: Snapshot | undefined;
  /** The end of the range (inclusive); undefined when the table has no snapshot. */
  readonly to: Snapshot | undefined;
  readonly schema: Schema;
  /** Live files at `to` written after `from` (deletes at `to` applied). */
  readonly added: FileScanTask[];
  /** Files live at `from` that `to` no longer has (deletes at `from` applied). */
  readonly removed: FileScanTask[];
}

/**
 * Plans the changes after snapshot `fromId` (exclusive; undefined = everything) up to `toId`
 * (inclusive; default the current snapshot).
 */
export async function planChanges(
  io: FileIO,
  metadata: TableMetadata,
  fromId: bigint | undefined,
  toId: bigint | undefined,
  table: string,
): Promise<ChangePlan> {
  const schema = schemaById(metadata, undefined);
  const to = toId === undefined ? currentSnapshot(metadata) : snapshotById(metadata, toId);
  if (toId !== undefined && !to)
    throw new FloeError('not-found', `snapshot ${toId} does not exist`, { context: { table } });
  if (!to) {
    if (fromId !== undefined) throw unavailable(table, `it has no snapshot, so snapshot ${fromId} is gone`);
    return { from: undefined, to: undefined, schema, added: [], removed: [] };
  }
  const liveAt = async (s: Snapshot) => {
    try {
      return await planTasks(
        io,
        metadata,
        schema,
        await readManifestList(io, s['manifest-list']),
        undefined,
        table,
      );
    } catch (e) {
      if (isFloeError(e, 'not-found') || isFloeError(e, 'io'))
        throw unavailable(
          table,
          `the manifests of snapshot ${s['snapshot-id']} cannot be read (${e.message})`,
        );
      throw e;
    }
  };
  const live = await liveAt(to);
  if (fromId === undefined) return { from: undefined, to, schema, added: live, removed: [] };
  if (fromId === to['snapshot-id']) return { from: to, to, schema, added: [], removed: [] };
  const from = snapshotById(metadata, fromId);
  if (!from) throw unavailable(table, `snapshot ${fromId} no longer exists (expired?)`);
  if (!ancestors(metadata, to['snapshot-id']).some((s) => s['snapshot-id'] === fromId))
    throw unavailable(
      table,
      `snapshot ${fromId} is not an ancestor of snapshot ${to['snapshot-id']} (rolled back or replaced?)`,
    );
  const before = await liveAt(from);
  const liveNow = new Map(live.map((t) => [t.file.file_path, t]));
  // A file belongs to the range when its data sequence number is after `from`'s: appends,
  // rewrites and compactions in the range all give their files the new sequence numbers.
  const seq = from['sequence-number'];
  const removed: FileScanTask[] = [];
  for (const t of before) {
    const now = liveNow.get(t.file.file_path);
    if (!now) {
      removed.push(t); // the whole file left: every row it held at `from`
      continue;
    }
    // The file stayed; rows that position deletes added in the range remove (merge-on-read).
    const had = new Set(t.deletes.map((d) => d.file_path));
    const fresh = now.deletes.filter((d) => !had.has(d.file_path));
    if (fresh.length) removed.push({ ...t, onlyDeletedBy: fresh });
  }
  return { from, to, schema, added: live.filter((t) => t.sequenceNumber > seq), removed };
}

function unavailable(table: string, why: string): FloeError {
  return new FloeError('not-found', `the changes of ${table} cannot be read: ${why}`, {
    context: { table, reason: RANGE_UNAVAILABLE },
  });
}
