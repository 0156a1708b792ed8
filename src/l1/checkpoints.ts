/**
 * Checkpointed syncs. A first load of millions of records fetches for hours; committing once at
 * the end means a crash in hour three refetches everything. With `source.incremental.window`,
 * the source reports where each time window ends (every record before that instant has been
 * handed out), and there, once `destination.checkpoints.everyRecords` records or `everyMinutes`
 * minutes have gathered since the last commit, the sync commits what it has with the window end
 * as its cursor (`floe.sync-cursor`) and `floe.checkpoint` in the snapshot summary, then moves
 * the state's cursor. A run that dies after a checkpoint resumes from it:
 *  - INCREMENTAL: the state's cursor is the checkpoint (the table says so if the state update
 *    was lost), so the next run simply starts there.
 *  - FULL: the next FULL run sees that this config's newest commit is a checkpoint of a FULL
 *    run and fetches only the windows after it, instead of starting over from startDate.
 * Window ends are the only safe points: inside a window the API's order is not the cursor's, so
 * no cursor value says "everything before is in". OVERWRITE replaces the table in one snapshot,
 * so it never checkpoints.
 */
import type { L1Config } from '../config/index.js';
import type { Table } from '../iceberg/index.js';
import {
  latestFloeCommit,
  SUMMARY_CHECKPOINT,
  SUMMARY_CONFIG_ID,
  SUMMARY_RUN_ID,
  SUMMARY_SYNC_CURSOR,
} from './table-cursor.js';

export class CheckpointPolicy {
  private recordsSince = 0;
  private since: number;

  constructor(
    private readonly cfg: L1Config['destination']['checkpoints'],
    readonly enabled: boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.since = now();
  }

  static for(config: L1Config, now?: () => number): CheckpointPolicy {
    const d = config.destination;
    const windowed = config.source.incremental?.window !== undefined;
    return new CheckpointPolicy(
      d.checkpoints,
      d.checkpoints.enabled && windowed && d.defaultwriteMode !== 'OVERWRITE',
      now,
    );
  }

  /** Counts fetched records toward the next checkpoint. */
  fetched(records: number): void {
    this.recordsSince += records;
  }

  /** Whether to commit at this window end. */
  due(): boolean {
    if (!this.enabled || this.recordsSince === 0) return false;
    return (
      this.recordsSince >= this.cfg.everyRecords || this.now() - this.since >= this.cfg.everyMinutes * 60_000
    );
  }

  committed(): void {
    this.recordsSince = 0;
    this.since = this.now();
  }
}

export interface CheckpointResume {
  readonly runId: string;
  readonly cursor: string;
  readonly loadType: string;
  readonly snapshotId: bigint;
}

/**
 * The checkpoint to resume from: this config's newest commit in the table, when it is a
 * checkpoint of another run (that run stopped before its last commit).
 */
export function checkpointToResume(
  tbl: Table | undefined,
  configId: string,
  runId: string,
): CheckpointResume | undefined {
  const c = tbl ? latestFloeCommit(tbl, configId) : undefined;
  if (!c?.checkpoint || !c.cursor || c.runId === runId) return undefined;
  return { runId: c.runId, cursor: c.cursor, loadType: c.checkpoint, snapshotId: c.snapshotId };
}

/**
 * This run's own newest checkpoint, for a sync that starts over after another run of the config
 * committed (a concurrent-sync conflict): what this run already committed stays committed, so
 * starting from scratch would store it twice in an APPEND table. It goes on after it instead.
 */
export function ownCheckpoint(
  tbl: Table | undefined,
  configId: string,
  runId: string,
): CheckpointResume | undefined {
  if (!tbl) return undefined;
  const history = tbl.history();
  for (let i = history.length - 1; i >= 0; i--) {
    const s = history[i]!;
    const summary = s.summary as Record<string, string | undefined>;
    if (summary[SUMMARY_CONFIG_ID] !== configId || summary[SUMMARY_RUN_ID] !== runId) continue;
    const cursor = summary[SUMMARY_SYNC_CURSOR];
    const checkpoint = summary[SUMMARY_CHECKPOINT];
    if (!checkpoint || !cursor) return undefined;
    return { runId, cursor, loadType: checkpoint, snapshotId: s['snapshot-id'] };
  }
  return undefined;
}
