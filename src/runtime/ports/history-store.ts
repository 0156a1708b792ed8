/**
 * One row per config per run, in the seed's history item shape (its DynamoDB history table,
 * shared by L1 and L2), with floe's extras alongside. The seed's field names are kept verbatim,
 * hyphen and snake case included, so existing dashboards and queries over that table keep working.
 */
import type { ProcessKind } from './state-store.js';

/**
 * The seed writes `SUCCESS`; its docs call the other outcome "Failed": floe writes `FAILED`.
 * `INTERRUPTED`: the run was stopped (SIGTERM/SIGINT) or died (found on the next start); nothing
 * of it after its last commit is in the table, and its cursor did not move past that commit.
 */
export type RunOutcome = 'SUCCESS' | 'FAILED' | 'INTERRUPTED';

/** The seed's history item. Empty strings, not absent fields, where the seed has no value. */
export interface SeedHistoryFields {
  configId: string;
  /** The job run id (Glue's JOB_RUN_ID; locally floe's run id). */
  'job-id': string;
  /** `FULL` or `INCREMENTAL`. */
  load_type: string;
  /** ISO-8601 UTC time the load finished. */
  loadTimestamp: string;
  /** Iceberg snapshot id written, as a decimal string; '' when none (failure, nothing to write). */
  snapshot_id: string;
  /** Error message (redacted) when `lastRunStatus` is FAILED, else ''. */
  error: string;
  lastRunStatus: RunOutcome;
  totalRecordsProcessed: number;
}

export interface HistoryEntry extends SeedHistoryFields {
  /** floe's run id (equals `job-id` locally; on Glue `job-id` is the Glue run id). */
  runId: string;
  processType: ProcessKind;
  durationMs: number;
  /** Destination table, `database.table`. */
  table?: string;
  /** The sync cursor reached (L1 lastSyncTime after this run), if any. */
  cursor?: string;
  /** Schema decisions the run reported (type conflicts, all-null fields left out, renamed fields). */
  warnings?: number;
  /** How the row came to be when not written by the run itself (recovered from the table, found interrupted). */
  note?: string;
  /**
   * Records fetched from the API, when that differs from what was committed
   * (`totalRecordsProcessed`): a failed run fetched these but wrote only its checkpoints.
   */
  recordsFetched?: number;
  /** Checkpoint commits the run made before its last commit or its failure (large syncs). */
  checkpoints?: number;
}

export interface HistoryQuery {
  configId?: string;
  processType?: ProcessKind;
  /** Only entries with loadTimestamp at or after this instant. */
  since?: string | Date;
  /** Only runs that did not succeed (lastRunStatus other than SUCCESS). */
  failedOnly?: boolean;
  /** Newest first; default 100. */
  limit?: number;
}

export interface HistoryStore {
  /**
   * Stores an entry; string fields are redacted first. Recording the same (runId, processType,
   * configId) again replaces the earlier entry, so a retried write never duplicates a row.
   */
  record(entry: HistoryEntry): Promise<void>;
  /** Entries newest first (by loadTimestamp). */
  list(query?: HistoryQuery): Promise<HistoryEntry[]>;
  /** The entry of one run of one config, if recorded. */
  find(runId: string, processType: ProcessKind, configId: string): Promise<HistoryEntry | undefined>;
}
