/**
 * Before an L2 run reads anything, its state is brought in line with the destination table,
 * which is the truth about how far the config got (summary.ts):
 *
 *  - a run left RUNNING by another run id that committed nothing is recorded as INTERRUPTED;
 *  - a commit whose run never recorded it (killed between the commit and the state update) is
 *    adopted: its source positions become the state's, with a history row noted "recovered";
 *  - state positions that differ from the table's newest commit (state reset or restored,
 *    table rolled back) are replaced by the table's.
 *
 * The positions the run reads from are the table's: a destination table that does not exist
 * (dropped, or never written) has none, so every source is read in full and the table rebuilt,
 * whatever the state says. L2 tables are derived data; rebuilding is always possible.
 */
import type { L2Config } from '../config/l2-schema.js';
import type { Table } from '../iceberg/index.js';
import type { HistoryStore } from '../runtime/ports/history-store.js';
import type { Logger } from '../runtime/ports/logger.js';
import type { StateStore } from '../runtime/ports/state-store.js';
import { type L2Commit, latestL2Commit, type SourcePositions } from './summary.js';

export interface Reconciled {
  /** Where each source is read from this run (empty: everything is new). */
  readonly positions: SourcePositions;
  /** The newest commit of the config on the destination table. */
  readonly commit: L2Commit | undefined;
}

export async function reconcileL2(
  config: L2Config,
  table: Table | undefined,
  tableName: string,
  run: { runId: string },
  deps: { state: StateStore; history: HistoryStore },
  log: Logger,
): Promise<Reconciled> {
  const configId = config.configId;
  const prior = await deps.state.get('L2', configId);
  const commit = table ? latestL2Commit(table, configId) : undefined;

  const dead = prior?.status === 'RUNNING' && prior.lastRunId && prior.lastRunId !== run.runId;
  if (dead && prior.lastRunId !== commit?.runId) {
    const deadRun = prior.lastRunId!;
    const note = `found by run ${run.runId}: run ${deadRun} (started ${prior.lastRunStartedAt ?? '?'}) stopped without finishing (killed, or its machine went down); nothing of it was committed to ${tableName}`;
    if (!(await deps.history.find(deadRun, 'L2', configId)))
      await deps.history.record({
        configId,
        'job-id': deadRun,
        load_type: config.loadType,
        loadTimestamp: new Date().toISOString(),
        snapshot_id: '',
        error: note,
        lastRunStatus: 'INTERRUPTED',
        totalRecordsProcessed: 0,
        runId: deadRun,
        processType: 'L2',
        durationMs: 0,
        table: tableName,
        note,
      });
    await deps.state.update('L2', configId, { status: 'INTERRUPTED', lastError: note });
    log.warn(note);
  }

  if (commit) {
    const recorded = await deps.history.find(commit.runId, 'L2', configId);
    const at = new Date(commit.committedAtMs).toISOString();
    if (recorded?.lastRunStatus !== 'SUCCESS') {
      const note = `recovered by run ${run.runId} from ${tableName}: run ${commit.runId} committed snapshot ${commit.snapshotId} at ${at} but stopped before recording it`;
      await deps.state.update('L2', configId, {
        status: 'COMPLETED',
        lastSuccessfulRun: at,
        lastError: null,
        sources: statePositions(commit.sources),
      });
      await deps.history.record({
        configId,
        'job-id': commit.runId,
        load_type: config.loadType,
        loadTimestamp: at,
        snapshot_id: String(commit.snapshotId),
        error: '',
        lastRunStatus: 'SUCCESS',
        totalRecordsProcessed: commit.records,
        runId: commit.runId,
        processType: 'L2',
        durationMs: 0,
        table: tableName,
        note,
      });
      log.warn(`${note}; its source positions are adopted, so nothing is read or written twice`);
    } else if (!samePositions(prior?.sources ?? {}, commit.sources)) {
      await deps.state.update('L2', configId, { sources: statePositions(commit.sources) });
      log.warn(
        `the state's source positions differ from those ${tableName} records for its newest commit of this config (snapshot ${commit.snapshotId}); the table is the truth, so this run reads on from the table's`,
      );
    }
  } else if (prior && Object.keys(prior.sources).length > 0) {
    log.warn(
      `${tableName} ${table ? 'has no commit of this config' : 'does not exist'}; every source is read in full and the table is rebuilt (the state's source positions are not used)`,
    );
  }
  return { positions: commit?.sources ?? {}, commit };
}

/** The StateStore's per-source fields for positions (snapshot id and column cursor). */
export function statePositions(
  p: SourcePositions,
): Record<string, { lastSnapshotId: string | null; lastSuccessfulFetchTime: string | null }> {
  return Object.fromEntries(
    Object.entries(p).map(([name, pos]) => [
      name,
      { lastSnapshotId: pos.snapshotId ?? null, lastSuccessfulFetchTime: pos.cursor ?? null },
    ]),
  );
}

function samePositions(
  state: Record<string, { lastSnapshotId?: string; lastSuccessfulFetchTime?: string }>,
  table: SourcePositions,
): boolean {
  const names = new Set([...Object.keys(state), ...Object.keys(table)]);
  for (const n of names) {
    const a = state[n];
    const b = table[n];
    if ((a?.lastSnapshotId ?? undefined) !== (b?.snapshotId ?? undefined)) return false;
    if ((a?.lastSuccessfulFetchTime ?? undefined) !== (b?.cursor ?? undefined)) return false;
  }
  return true;
}
