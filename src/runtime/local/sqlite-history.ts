/** HistoryStore on the local SQLite state database (table floe_history, see state-db.ts). */
import { FloeError } from '../../errors.js';
import { redactValue } from '../../util/redact.js';
import type { HistoryEntry, HistoryQuery, HistoryStore } from '../ports/history-store.js';
import type { ProcessKind } from '../ports/state-store.js';
import { openStateDb, type StateDb } from './state-db.js';

export const DEFAULT_HISTORY_LIMIT = 100;

export class SqliteHistoryStore implements HistoryStore {
  private readonly ownsDb: boolean;
  readonly db: StateDb;

  constructor(db: StateDb | string) {
    this.ownsDb = typeof db === 'string';
    this.db = typeof db === 'string' ? openStateDb(db) : db;
  }

  async record(entry: HistoryEntry): Promise<void> {
    const e = normaliseEntry(entry);
    this.db
      .prepare(
        `INSERT INTO floe_history (run_id, process_type, config_id, load_timestamp, load_ms, last_run_status, entry)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, process_type, config_id) DO UPDATE SET
           load_timestamp = excluded.load_timestamp, load_ms = excluded.load_ms,
           last_run_status = excluded.last_run_status, entry = excluded.entry`,
      )
      .run(
        e.runId,
        e.processType,
        e.configId,
        e.loadTimestamp,
        Date.parse(e.loadTimestamp),
        e.lastRunStatus,
        JSON.stringify(e),
      );
  }

  async list(query: HistoryQuery = {}): Promise<HistoryEntry[]> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (query.configId !== undefined) {
      where.push('config_id = ?');
      args.push(query.configId);
    }
    if (query.processType !== undefined) {
      where.push('process_type = ?');
      args.push(query.processType);
    }
    if (query.since !== undefined) {
      const ms = query.since instanceof Date ? query.since.getTime() : Date.parse(query.since);
      if (Number.isNaN(ms)) {
        throw new FloeError(
          'config-invalid',
          `'since' is not a date/time: ${String(query.since)}; use ISO-8601`,
        );
      }
      where.push('load_ms >= ?');
      args.push(ms);
    }
    if (query.failedOnly) where.push("last_run_status <> 'SUCCESS'");
    const limit = query.limit ?? DEFAULT_HISTORY_LIMIT;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new FloeError('config-invalid', `history limit must be a positive integer, got ${limit}`);
    }
    args.push(limit);
    const rows = this.db
      .prepare(
        `SELECT entry FROM floe_history ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY load_ms DESC, seq DESC LIMIT ?`,
      )
      .all(...args) as { entry: string }[];
    return rows.map((r) => JSON.parse(r.entry) as HistoryEntry);
  }

  async find(runId: string, processType: ProcessKind, configId: string): Promise<HistoryEntry | undefined> {
    const row = this.db
      .prepare('SELECT entry FROM floe_history WHERE run_id = ? AND process_type = ? AND config_id = ?')
      .get(runId, processType, configId) as { entry: string } | undefined;
    return row ? (JSON.parse(row.entry) as HistoryEntry) : undefined;
  }

  close(): void {
    if (this.ownsDb) this.db.close();
  }
}

/**
 * Validates and fills an entry: the seed's fields are always present (empty strings rather than
 * absent, as the seed writes them), string fields redacted, timestamps normalised to ISO UTC.
 */
export function normaliseEntry(entry: HistoryEntry): HistoryEntry {
  const ms = Date.parse(entry.loadTimestamp);
  if (Number.isNaN(ms)) {
    throw new FloeError('internal', `history entry for ${entry.configId} has an invalid loadTimestamp`, {
      context: { configId: entry.configId, loadTimestamp: entry.loadTimestamp },
    });
  }
  const e: HistoryEntry = {
    configId: entry.configId,
    'job-id': entry['job-id'] ?? entry.runId,
    load_type: entry.load_type ?? '',
    loadTimestamp: new Date(ms).toISOString(),
    snapshot_id: entry.snapshot_id ?? '',
    error: entry.error ?? '',
    lastRunStatus: entry.lastRunStatus,
    totalRecordsProcessed: entry.totalRecordsProcessed ?? 0,
    runId: entry.runId,
    processType: entry.processType,
    durationMs: entry.durationMs ?? 0,
  };
  if (entry.table !== undefined) e.table = entry.table;
  if (entry.cursor !== undefined) e.cursor = entry.cursor;
  if (entry.warnings !== undefined) e.warnings = entry.warnings;
  if (entry.note !== undefined) e.note = entry.note;
  if (entry.recordsFetched !== undefined) e.recordsFetched = entry.recordsFetched;
  if (entry.checkpoints !== undefined) e.checkpoints = entry.checkpoints;
  return redactValue(e);
}
