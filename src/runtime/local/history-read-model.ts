/**
 * Read model over the local history table (floe_history, see state-db.ts) for views that look at
 * runs rather than rows: the runs of a project as groups of their configs' rows, and each
 * config's latest rows. `SqliteHistoryStore.list` serves `floe history` (rows, newest first);
 * this serves `floe ui`, where a night's run is one item and a project may hold years of rows,
 * so every query is bounded by a limit and grouped in SQLite rather than in JavaScript.
 * Read-only: nothing here writes.
 */
import type { HistoryEntry, RunOutcome } from '../ports/history-store.js';
import type { ProcessKind } from '../ports/state-store.js';
import type { StateDb } from './state-db.js';

/** One run (one run id: L1 and L2 of one job share it), summed over its history rows. */
export interface RunSummary {
  runId: string;
  /** Earliest row's finish time minus its duration: when the first config started (ISO UTC). */
  startedAt: string;
  /** Latest row's finish time (ISO UTC). */
  finishedAt: string;
  durationMs: number;
  configs: number;
  succeeded: number;
  failed: number;
  interrupted: number;
  /** Sum of totalRecordsProcessed. */
  records: number;
  /** The layers that ran, L1 before L2. */
  layers: ProcessKind[];
  /** FAILED if any config failed, else INTERRUPTED if any was, else SUCCESS. */
  status: RunOutcome;
}

export interface RunQuery {
  /** At most this many runs, newest first. */
  limit: number;
  /** Only runs older than this cursor (`RunSummary` → `runCursor`), for the next page. */
  before?: string;
  /** Only these runs. */
  runIds?: readonly string[];
  /** Only rows of these configs (and runs that have one). */
  configIds?: readonly string[];
  /** Only rows with one of these outcomes. */
  statuses?: readonly RunOutcome[];
  processType?: ProcessKind;
  /** Only rows that finished at or after / before this instant (ms since epoch). */
  sinceMs?: number;
  untilMs?: number;
}

interface RunRow {
  run_id: string;
  started_ms: number;
  finished_ms: number;
  n: number;
  ok: number;
  failed: number;
  interrupted: number;
  records: number;
  layers: string;
}

/** The page cursor after `run`: its finish time and id (two runs may finish in the same ms). */
export function runCursor(run: Pick<RunSummary, 'finishedAt' | 'runId'>): string {
  return `${Date.parse(run.finishedAt)}~${run.runId}`;
}

export class SqliteHistoryReadModel {
  constructor(private readonly db: StateDb) {}

  /** Runs newest first, each summed over its rows that match the query's filters. */
  runs(q: RunQuery): RunSummary[] {
    const { where, args } = filters(q);
    let having = '';
    if (q.before !== undefined) {
      const i = q.before.indexOf('~');
      const ms = Number(q.before.slice(0, i));
      const id = q.before.slice(i + 1);
      if (i > 0 && Number.isFinite(ms)) {
        having = 'HAVING finished_ms < ? OR (finished_ms = ? AND run_id < ?)';
        args.push(ms, ms, id);
      }
    }
    args.push(q.limit);
    const rows = this.db
      .prepare(
        `SELECT run_id,
                MIN(load_ms - COALESCE(json_extract(entry, '$.durationMs'), 0)) AS started_ms,
                MAX(load_ms) AS finished_ms,
                COUNT(*) AS n,
                SUM(last_run_status = 'SUCCESS') AS ok,
                SUM(last_run_status = 'FAILED') AS failed,
                SUM(last_run_status = 'INTERRUPTED') AS interrupted,
                SUM(COALESCE(json_extract(entry, '$.totalRecordsProcessed'), 0)) AS records,
                GROUP_CONCAT(DISTINCT process_type) AS layers
           FROM floe_history ${where}
          GROUP BY run_id ${having}
          ORDER BY finished_ms DESC, run_id DESC
          LIMIT ?`,
      )
      .all(...args) as RunRow[];
    return rows.map(toSummary);
  }

  /** The rows of these runs that match the query's filters, newest first. */
  entriesOf(
    runIds: readonly string[],
    q: Omit<RunQuery, 'limit' | 'before' | 'runIds'> = {},
  ): HistoryEntry[] {
    if (runIds.length === 0) return [];
    const { where, args } = filters({ ...q, runIds });
    const rows = this.db
      .prepare(`SELECT entry FROM floe_history ${where} ORDER BY load_ms DESC, seq DESC`)
      .all(...args) as { entry: string }[];
    return rows.map((r) => JSON.parse(r.entry) as HistoryEntry);
  }

  /**
   * Each config's latest `perConfig` rows (newest first), keyed `L1:<configId>` / `L2:<configId>`:
   * what the configs list and the health checks need, in one query however long the history.
   */
  latestPerConfig(perConfig: number): Map<string, HistoryEntry[]> {
    const rows = this.db
      .prepare(
        `SELECT entry FROM (
           SELECT entry, ROW_NUMBER() OVER (
                    PARTITION BY process_type, config_id ORDER BY load_ms DESC, seq DESC) AS rn
             FROM floe_history)
          WHERE rn <= ?`,
      )
      .all(perConfig) as { entry: string }[];
    const out = new Map<string, HistoryEntry[]>();
    for (const r of rows) {
      const e = JSON.parse(r.entry) as HistoryEntry;
      const key = configKey(e.processType, e.configId);
      const list = out.get(key);
      if (list) list.push(e);
      else out.set(key, [e]);
    }
    // ROW_NUMBER() fixes which rows, not the order they come in.
    for (const list of out.values()) list.sort(newestFirst);
    return out;
  }
}

/** `L1:Wrike_Tasks`: a config's key where L1 and L2 may share an id. */
export function configKey(layer: ProcessKind, configId: string): string {
  return `${layer}:${configId}`;
}

function newestFirst(a: HistoryEntry, b: HistoryEntry): number {
  return Date.parse(b.loadTimestamp) - Date.parse(a.loadTimestamp);
}

function filters(q: Omit<RunQuery, 'limit' | 'before'>): { where: string; args: (string | number)[] } {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (q.runIds !== undefined) {
    where.push(q.runIds.length ? `run_id IN (${q.runIds.map(() => '?').join(', ')})` : '0');
    args.push(...q.runIds);
  }
  if (q.configIds !== undefined) {
    // An empty list matches nothing (a platform with no configs), not everything.
    where.push(q.configIds.length ? `config_id IN (${q.configIds.map(() => '?').join(', ')})` : '0');
    args.push(...q.configIds);
  }
  if (q.statuses !== undefined) {
    where.push(q.statuses.length ? `last_run_status IN (${q.statuses.map(() => '?').join(', ')})` : '0');
    args.push(...q.statuses);
  }
  if (q.processType !== undefined) {
    where.push('process_type = ?');
    args.push(q.processType);
  }
  if (q.sinceMs !== undefined) {
    where.push('load_ms >= ?');
    args.push(q.sinceMs);
  }
  if (q.untilMs !== undefined) {
    where.push('load_ms < ?');
    args.push(q.untilMs);
  }
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
}

function toSummary(r: RunRow): RunSummary {
  const layers = r.layers
    .split(',')
    .filter((l): l is ProcessKind => l === 'L1' || l === 'L2')
    .sort();
  return {
    runId: r.run_id,
    startedAt: new Date(r.started_ms).toISOString(),
    finishedAt: new Date(r.finished_ms).toISOString(),
    durationMs: Math.max(0, r.finished_ms - r.started_ms),
    configs: r.n,
    succeeded: r.ok,
    failed: r.failed,
    interrupted: r.interrupted,
    records: r.records,
    layers,
    status: r.failed > 0 ? 'FAILED' : r.interrupted > 0 ? 'INTERRUPTED' : 'SUCCESS',
  };
}
