/** StateStore on the local SQLite state database (see state-db.ts for the schema and locking). */
import { FloeError } from '../../errors.js';
import { failpoint } from '../../iceberg/util/failpoint.js';
import { redact } from '../../util/redact.js';
import type {
  ConfigRunStatus,
  ConfigState,
  ProcessKind,
  SourceFetchState,
  StatePatch,
  StateStore,
  UpdateCondition,
} from '../ports/state-store.js';
import { openStateDb, type StateDb } from './state-db.js';

interface StateRow {
  kind: ProcessKind;
  config_id: string;
  status: ConfigRunStatus | null;
  status_updated_at: string | null;
  last_sync_time: string | null;
  last_successful_run: string | null;
  last_run_id: string | null;
  last_run_started_at: string | null;
  last_error: string | null;
  sources: string;
  version: number;
  updated_at: string;
}

export class SqliteStateStore implements StateStore {
  private readonly ownsDb: boolean;
  readonly db: StateDb;

  /** Pass a path to own the connection, or a shared open database (state + history in one file). */
  constructor(
    db: StateDb | string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.ownsDb = typeof db === 'string';
    this.db = typeof db === 'string' ? openStateDb(db) : db;
  }

  async get(kind: ProcessKind, configId: string): Promise<ConfigState | undefined> {
    return this.read(kind, configId);
  }

  async list(kind: ProcessKind): Promise<ConfigState[]> {
    const rows = this.db
      .prepare('SELECT * FROM floe_state WHERE kind = ? ORDER BY config_id')
      .all(kind) as StateRow[];
    return rows.map(fromRow);
  }

  async update(
    kind: ProcessKind,
    configId: string,
    patch: StatePatch,
    cond: UpdateCondition = {},
  ): Promise<ConfigState> {
    // IMMEDIATE takes the write lock before the read, so the read-merge-write cannot interleave
    // with another process's (a DEFERRED transaction could read, then fail to upgrade).
    return this.db
      .transaction(() => {
        const current = this.read(kind, configId);
        if (cond.ifLastRunId !== undefined && current?.lastRunId !== cond.ifLastRunId) {
          throw new FloeError(
            'commit-conflict',
            `state of ${kind} config ${configId} now belongs to run ${current?.lastRunId ?? '(none)'}, not ${cond.ifLastRunId}`,
            { context: { configId, kind } },
          );
        }
        const next = applyPatch(current, kind, configId, patch, this.now().toISOString());
        failpoint('state.in-transaction');
        this.db
          .prepare(
            `INSERT INTO floe_state (kind, config_id, status, status_updated_at, last_sync_time,
               last_successful_run, last_run_id, last_run_started_at, last_error, sources, version, updated_at)
             VALUES (@kind, @config_id, @status, @status_updated_at, @last_sync_time, @last_successful_run,
               @last_run_id, @last_run_started_at, @last_error, @sources, @version, @updated_at)
             ON CONFLICT (kind, config_id) DO UPDATE SET
               status = excluded.status, status_updated_at = excluded.status_updated_at,
               last_sync_time = excluded.last_sync_time, last_successful_run = excluded.last_successful_run,
               last_run_id = excluded.last_run_id, last_run_started_at = excluded.last_run_started_at,
               last_error = excluded.last_error, sources = excluded.sources, version = excluded.version,
               updated_at = excluded.updated_at`,
          )
          .run(toRow(next));
        return next;
      })
      .immediate();
  }

  close(): void {
    if (this.ownsDb) this.db.close();
  }

  private read(kind: ProcessKind, configId: string): ConfigState | undefined {
    const row = this.db
      .prepare('SELECT * FROM floe_state WHERE kind = ? AND config_id = ?')
      .get(kind, configId) as StateRow | undefined;
    return row ? fromRow(row) : undefined;
  }
}

/** The merge rule of `StateStore.update`, pure so adapters (DynamoDB too) can share it. */
export function applyPatch(
  current: ConfigState | undefined,
  kind: ProcessKind,
  configId: string,
  patch: StatePatch,
  nowIso: string,
): ConfigState {
  const base: ConfigState = current ?? { kind, configId, sources: {}, version: 0, updatedAt: nowIso };
  const next: ConfigState = {
    ...base,
    sources: { ...base.sources },
    version: base.version + 1,
    updatedAt: nowIso,
  };
  const set = <
    K extends
      | 'status'
      | 'lastSyncTime'
      | 'lastSuccessfulRun'
      | 'lastRunId'
      | 'lastRunStartedAt'
      | 'lastError',
  >(
    key: K,
    value: ConfigState[K] | null | undefined,
  ) => {
    if (value === undefined) return;
    if (value === null) delete next[key];
    else next[key] = value;
  };
  set('status', patch.status);
  if (patch.status !== undefined) {
    if (patch.status === null) delete next.statusUpdatedAt;
    else next.statusUpdatedAt = nowIso;
  }
  set('lastSyncTime', patch.lastSyncTime);
  set('lastSuccessfulRun', patch.lastSuccessfulRun);
  set('lastRunId', patch.lastRunId);
  set('lastRunStartedAt', patch.lastRunStartedAt);
  // Errors may quote request URLs or bodies: redact before they are stored.
  set('lastError', typeof patch.lastError === 'string' ? redact(patch.lastError) : patch.lastError);
  for (const [name, p] of Object.entries(patch.sources ?? {})) {
    const src: SourceFetchState = { ...next.sources[name] };
    if (p.lastSuccessfulFetchTime === null) delete src.lastSuccessfulFetchTime;
    else if (p.lastSuccessfulFetchTime !== undefined) src.lastSuccessfulFetchTime = p.lastSuccessfulFetchTime;
    if (p.lastSnapshotId === null) delete src.lastSnapshotId;
    else if (p.lastSnapshotId !== undefined) src.lastSnapshotId = p.lastSnapshotId;
    next.sources[name] = src;
  }
  return next;
}

function fromRow(r: StateRow): ConfigState {
  const s: ConfigState = {
    kind: r.kind,
    configId: r.config_id,
    sources: JSON.parse(r.sources) as Record<string, SourceFetchState>,
    version: r.version,
    updatedAt: r.updated_at,
  };
  if (r.status !== null) s.status = r.status;
  if (r.status_updated_at !== null) s.statusUpdatedAt = r.status_updated_at;
  if (r.last_sync_time !== null) s.lastSyncTime = r.last_sync_time;
  if (r.last_successful_run !== null) s.lastSuccessfulRun = r.last_successful_run;
  if (r.last_run_id !== null) s.lastRunId = r.last_run_id;
  if (r.last_run_started_at !== null) s.lastRunStartedAt = r.last_run_started_at;
  if (r.last_error !== null) s.lastError = r.last_error;
  return s;
}

function toRow(s: ConfigState): StateRow {
  return {
    kind: s.kind,
    config_id: s.configId,
    status: s.status ?? null,
    status_updated_at: s.statusUpdatedAt ?? null,
    last_sync_time: s.lastSyncTime ?? null,
    last_successful_run: s.lastSuccessfulRun ?? null,
    last_run_id: s.lastRunId ?? null,
    last_run_started_at: s.lastRunStartedAt ?? null,
    last_error: s.lastError ?? null,
    sources: JSON.stringify(s.sources),
    version: s.version,
    updated_at: s.updatedAt,
  };
}
