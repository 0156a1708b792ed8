/**
 * The local state database (`<project>/.floe/state.db`): run state and run history in one SQLite
 * file. WAL lets readers (`floe history`) run beside a writer; busy_timeout makes a second process
 * wait for the write lock instead of failing; every read-modify-write is a BEGIN IMMEDIATE
 * transaction, so two processes updating the same config serialise rather than lose an update.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { FloeError } from '../../errors.js';
import { isSqliteCorruption, quickCheck } from '../../iceberg/catalog/sqlite-file.js';

export type StateDb = Database.Database;

/**
 * 2: status may be INTERRUPTED (a run stopped by a signal, or found dead on the next start).
 * A version-1 file is migrated on open (SQLite cannot alter a CHECK constraint, so the table is
 * rebuilt inside the same transaction).
 */
export const STATE_SCHEMA_VERSION = 2;

/** The schema, created on open (idempotent). Kept as one string so docs and tests can show it. */
export const STATE_SCHEMA = `
CREATE TABLE IF NOT EXISTS floe_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS floe_state (
  kind                TEXT NOT NULL CHECK (kind IN ('L1', 'L2')),
  config_id           TEXT NOT NULL,
  status              TEXT CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED', 'INTERRUPTED')),
  status_updated_at   TEXT,
  last_sync_time      TEXT,
  last_successful_run TEXT,
  last_run_id         TEXT,
  last_run_started_at TEXT,
  last_error          TEXT,
  sources             TEXT NOT NULL DEFAULT '{}',  -- JSON: { name: { lastSuccessfulFetchTime, lastSnapshotId } }
  version             INTEGER NOT NULL DEFAULT 0,
  updated_at          TEXT NOT NULL,
  PRIMARY KEY (kind, config_id)
);
CREATE TABLE IF NOT EXISTS floe_history (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id          TEXT NOT NULL,
  process_type    TEXT NOT NULL CHECK (process_type IN ('L1', 'L2')),
  config_id       TEXT NOT NULL,
  load_timestamp  TEXT NOT NULL,
  load_ms         INTEGER NOT NULL,               -- loadTimestamp as epoch ms, for ordering/filtering
  last_run_status TEXT NOT NULL,
  entry           TEXT NOT NULL,                  -- the whole entry as JSON (seed fields + extras)
  UNIQUE (run_id, process_type, config_id)
);
CREATE INDEX IF NOT EXISTS floe_history_by_time ON floe_history (load_ms DESC);
CREATE INDEX IF NOT EXISTS floe_history_by_config ON floe_history (config_id, load_ms DESC);
`;

/** What the state file is, for messages that must say what was lost. */
export const STATE_FILE_HOLDS =
  "it is floe's state database, holding sync cursors, config statuses and run history (the tables are separate)";

/** The error for a state file SQLite cannot read: names the file, what it holds and the fix. */
export function stateDamagedError(path: string, reason: string, cause?: unknown): FloeError {
  return new FloeError(
    'io',
    `the state database ${path} is damaged (${reason}); ${STATE_FILE_HOLDS}. Fix: restore ${path} from a backup, or start a fresh one with \`floe state reset\` (it shows what the next run will re-fetch, then moves the damaged file aside).`,
    { context: { file: path }, cause },
  );
}

export interface OpenStateDbOptions {
  readonly readonly?: boolean;
  /**
   * Default true: create the file and schema when missing (a new project). false: the file must
   * exist and not be empty, so a lost state database is reported instead of silently recreated.
   */
  readonly create?: boolean;
}

export function openStateDb(path: string, opts: OpenStateDbOptions = {}): StateDb {
  const create = opts.create ?? !opts.readonly;
  if (!create) {
    // SQLite would take a 0-byte file for a new, empty database; for state that was lost, not new.
    const size = existsSync(path) ? statSync(path).size : -1;
    if (size <= 0)
      throw new FloeError(
        'not-found',
        `the state database ${path} ${size < 0 ? 'does not exist' : 'is empty (0 bytes)'}; ${STATE_FILE_HOLDS}. Restore it from a backup, or start a fresh one with \`floe state reset\`.`,
        { context: { file: path } },
      );
  } else {
    mkdirSync(dirname(path), { recursive: true });
  }
  let db: StateDb;
  try {
    db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: !create });
  } catch (e) {
    if (isSqliteCorruption(e)) throw stateDamagedError(path, (e as Error).message, e);
    throw new FloeError('io', `cannot open the state database ${path}: ${(e as Error).message}`, {
      context: { file: path },
      cause: e,
    });
  }
  try {
    initialise(db, path, opts.readonly ?? false);
  } catch (e) {
    db.close();
    if (isSqliteCorruption(e)) throw stateDamagedError(path, (e as Error).message, e);
    throw e;
  }
  return db;
}

function initialise(db: StateDb, path: string, readonly: boolean): void {
  // busy_timeout first: the pragmas and schema below may themselves wait on another process.
  db.pragma('busy_timeout = 30000');
  // A damaged page often opens fine and fails only at the first query that reaches it, mid-run
  // after the data was committed: find it now, before anything runs.
  const problem = quickCheck(db);
  if (problem !== undefined) throw stateDamagedError(path, problem);
  if (readonly) return;
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.transaction(() => {
    db.exec(STATE_SCHEMA);
    const row = db.prepare('SELECT value FROM floe_meta WHERE key = ?').get('schema_version') as
      | { value: string }
      | undefined;
    if (!row) {
      db.prepare('INSERT INTO floe_meta (key, value) VALUES (?, ?)').run(
        'schema_version',
        String(STATE_SCHEMA_VERSION),
      );
    } else if (Number(row.value) < STATE_SCHEMA_VERSION) {
      migrate(db, Number(row.value));
    } else if (Number(row.value) > STATE_SCHEMA_VERSION) {
      throw new FloeError(
        'feature-unsupported',
        `the state database ${path} was written by a newer floe (schema ${row.value}); upgrade floe`,
        { context: { file: path } },
      );
    }
  }).immediate();
}

/**
 * floe_meta key set by \`floe state reset\`: an empty state database next to tables that floe
 * wrote is then a deliberate fresh start, not a lost file.
 */
export const STATE_RESET_KEY = 'reset_at';

export function markStateReset(db: StateDb, at = new Date()): void {
  db.prepare(
    'INSERT INTO floe_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(STATE_RESET_KEY, at.toISOString());
}

/** Brings an older state database to STATE_SCHEMA_VERSION (inside the caller's transaction). */
function migrate(db: StateDb, from: number): void {
  if (from < 2) {
    // v1 → v2: the status CHECK gains INTERRUPTED; rebuild floe_state with the new definition.
    const v2 = STATE_SCHEMA.slice(STATE_SCHEMA.indexOf('CREATE TABLE IF NOT EXISTS floe_state ('));
    const createState = v2.slice(0, v2.indexOf(');') + 2).replace('floe_state (', 'floe_state_v2 (');
    db.exec(createState);
    db.exec('INSERT INTO floe_state_v2 SELECT * FROM floe_state');
    db.exec('DROP TABLE floe_state');
    db.exec('ALTER TABLE floe_state_v2 RENAME TO floe_state');
  }
  db.prepare('UPDATE floe_meta SET value = ? WHERE key = ?').run(
    String(STATE_SCHEMA_VERSION),
    'schema_version',
  );
}
