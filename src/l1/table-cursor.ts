/**
 * What a table itself says about a config's syncs. Every floe commit carries `floe.run-id`,
 * `floe.config-id` and (when the sync has one) `floe.sync-cursor` in its snapshot summary, so
 * the table, not the state store, is the truth about how far a sync got: a run that died
 * between its commit and its state update, or a state database that was reset, is reconciled
 * from here.
 */
import type { Table } from '../iceberg/index.js';

export const SUMMARY_RUN_ID = 'floe.run-id';
export const SUMMARY_CONFIG_ID = 'floe.config-id';
export const SUMMARY_SYNC_CURSOR = 'floe.sync-cursor';
/** Records the sync processed (a MERGE's `added-records` also counts rewritten rows). */
export const SUMMARY_RECORDS = 'floe.records';
/**
 * On a checkpoint commit (a large sync committing part of its data, see checkpoints.ts): the load
 * type of the run that made it. The run's last commit carries none, so a newest commit that
 * carries it means the run stopped after a checkpoint.
 */
export const SUMMARY_CHECKPOINT = 'floe.checkpoint';

export interface FloeCommit {
  readonly snapshotId: bigint;
  readonly runId: string;
  readonly configId: string;
  /** The cursor the sync had reached when it committed; absent for FULL syncs without one. */
  readonly cursor?: string;
  readonly committedAtMs: number;
  /** Records the sync processed (`floe.records`; older commits: the snapshot's `added-records`). */
  readonly records: number;
  /** Set when the commit is a checkpoint: the load type of its run (`FULL` or `INCREMENTAL`). */
  readonly checkpoint?: string;
}

/** The newest commit of `configId` on the table's main branch, or undefined if it has none. */
export function latestFloeCommit(table: Table, configId: string): FloeCommit | undefined {
  const history = table.history();
  for (let i = history.length - 1; i >= 0; i--) {
    const s = history[i]!;
    const summary = s.summary as Record<string, string | undefined>;
    if (summary[SUMMARY_CONFIG_ID] !== configId) continue;
    const runId = summary[SUMMARY_RUN_ID];
    if (!runId) continue;
    const cursor = summary[SUMMARY_SYNC_CURSOR];
    const checkpoint = summary[SUMMARY_CHECKPOINT];
    return {
      snapshotId: s['snapshot-id'],
      runId,
      configId,
      ...(cursor ? { cursor } : {}),
      committedAtMs: s['timestamp-ms'],
      records: Number(summary[SUMMARY_RECORDS] ?? summary['added-records'] ?? 0),
      ...(checkpoint ? { checkpoint } : {}),
    };
  }
  return undefined;
}

/** Records committed by one run of `configId` over all its commits (checkpoints included). */
export function recordsCommittedBy(table: Table, configId: string, runId: string): number {
  let n = 0;
  for (const s of table.history()) {
    const summary = s.summary as Record<string, string | undefined>;
    if (summary[SUMMARY_CONFIG_ID] === configId && summary[SUMMARY_RUN_ID] === runId)
      n += Number(summary[SUMMARY_RECORDS] ?? summary['added-records'] ?? 0);
  }
  return n;
}

/** Whether cursor `a` is later than `b` (as times when both parse, else as numbers or text). */
export function cursorAfter(a: string, b: string): boolean {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (!Number.isNaN(ta) && !Number.isNaN(tb) && !/^\d+$/.test(a) && !/^\d+$/.test(b)) return ta > tb;
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na > nb;
  return a > b;
}
