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

export interface FloeCommit {
  readonly snapshotId: bigint;
  readonly runId: string;
  readonly configId: string;
  /** The cursor the sync had reached when it committed; absent for FULL syncs without one. */
  readonly cursor?: string;
  readonly committedAtMs: number;
  /** Records the sync processed (`floe.records`; older commits: the snapshot's `added-records`). */
  readonly records: number;
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
    return {
      snapshotId: s['snapshot-id'],
      runId,
      configId,
      ...(cursor ? { cursor } : {}),
      committedAtMs: s['timestamp-ms'],
      records: Number(summary[SUMMARY_RECORDS] ?? summary['added-records'] ?? 0),
    };
  }
  return undefined;
}
