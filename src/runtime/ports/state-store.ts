/**
 * Mutable per-config run state: sync cursors, the last run's status, L2 per-source fetch marks.
 * Locally it is a SQLite table; on AWS it lives in the config item itself, as the seed keeps it
 * (L1: `destination.lastSyncTime`, `status.{state,updatedAt}`; L2: `lastSuccessfulRun`, `status`,
 * `source.<name>.lastSuccessfulFetchTime`). L1 and L2 are separate keyspaces: the same configId may
 * exist in both tables, as in the seed's two DynamoDB tables.
 *
 * Crashed runs and the RUNNING marker: `status: 'RUNNING'` is advisory, never a lock. A run
 * that starts writes RUNNING with its own `lastRunId`/`lastRunStartedAt`, whatever the previous
 * status was; when it sees a RUNNING left by another run id it logs that the previous run did not
 * finish and takes over. This is safe because nothing here guards the data: table commits are
 * compare-and-swap in the catalog, and cursors (`lastSyncTime`, `lastSuccessfulFetchTime`) advance
 * only after the commit that contains the data, so a dead run can have moved neither past what is
 * committed. A run that must not overwrite a newer run's outcome passes `ifLastRunId` to `update`.
 */

/** Which config table: L1 (staging) or L2 (processing). */
export type ProcessKind = 'L1' | 'L2';

/**
 * The config's latest run status (INTERRUPTED: stopped by a signal, or found dead on the next
 * start with nothing of it committed after its last recorded state). The seed's L2 items use `COMPLETED` / `FAILED`; its L1 items
 * keep a lower-case `status.state` (`running`): the DynamoDB adapter maps case, floe uses these.
 */
export type ConfigRunStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'INTERRUPTED';

/** L2: what was last read from one source (L1) table. */
export interface SourceFetchState {
  /** The seed's `source.<name>.lastSuccessfulFetchTime` (ISO-8601 UTC) or column cursor value. */
  lastSuccessfulFetchTime?: string;
  /** The source table's snapshot id read up to (decimal string: snapshot ids are 64-bit). */
  lastSnapshotId?: string;
}

export interface ConfigState {
  kind: ProcessKind;
  configId: string;
  status?: ConfigRunStatus;
  /** When `status` last changed (the seed's L1 `status.updatedAt`). */
  statusUpdatedAt?: string;
  /** L1 incremental cursor (the seed's `destination.lastSyncTime`); advanced only after commit. */
  lastSyncTime?: string;
  /** End time of the last successful run (the seed's L2 `lastSuccessfulRun`; set for L1 too). */
  lastSuccessfulRun?: string;
  lastRunId?: string;
  lastRunStartedAt?: string;
  /** The last failure's message (already redacted); cleared by a successful run. */
  lastError?: string;
  /** L2: per source name (the key under the seed's `source`). Empty for L1. */
  sources: Record<string, SourceFetchState>;
  /** Bumped by every update: lets callers and tests see that updates were serialised. */
  version: number;
  updatedAt: string;
}

/**
 * A partial update. Omitted (undefined) fields are kept; `null` clears a field. `sources` is
 * merged per source name and per field (other sources and fields are kept).
 */
export interface StatePatch {
  status?: ConfigRunStatus | null;
  lastSyncTime?: string | null;
  lastSuccessfulRun?: string | null;
  lastRunId?: string | null;
  lastRunStartedAt?: string | null;
  lastError?: string | null;
  sources?: Record<string, { lastSuccessfulFetchTime?: string | null; lastSnapshotId?: string | null }>;
}

export interface UpdateCondition {
  /**
   * Apply the patch only if the stored `lastRunId` equals this (absent state counts as no run
   * id); otherwise throw FloeError kind `commit-conflict`. Lets a run that took too long avoid
   * overwriting the status of a newer run that took over.
   */
  ifLastRunId?: string;
}

export interface StateStore {
  /** The config's state, or undefined if it never ran. */
  get(kind: ProcessKind, configId: string): Promise<ConfigState | undefined>;
  /**
   * Applies `patch` atomically (read-merge-write in one transaction, safe across processes) and
   * returns the new state; creates the state if absent. `statusUpdatedAt` is set when `status`
   * is in the patch; `updatedAt` and `version` always.
   */
  update(
    kind: ProcessKind,
    configId: string,
    patch: StatePatch,
    cond?: UpdateCondition,
  ): Promise<ConfigState>;
  /** Every config's state of one kind, ordered by configId. */
  list(kind: ProcessKind): Promise<ConfigState[]>;
}
