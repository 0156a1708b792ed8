import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFloeError } from '../../src/errors.js';
import { SqliteStateStore } from '../../src/runtime/local/sqlite-state.js';
import { openStateDb } from '../../src/runtime/local/state-db.js';
import { clearSecretsForTest, registerSecret } from '../../src/util/redact.js';

let dir: string;
let dbPath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'floe-state-'));
  dbPath = join(dir, '.floe', 'state.db');
});
afterEach(() => {
  clearSecretsForTest();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteStateStore', () => {
  it('creates the database and schema on open, in WAL mode with a busy timeout', () => {
    const db = openStateDb(dbPath);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(Number(db.pragma('busy_timeout', { simple: true }))).toBeGreaterThanOrEqual(1000);
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    )
      .map((r) => r.name)
      .sort();
    expect(tables).toEqual(expect.arrayContaining(['floe_history', 'floe_meta', 'floe_state']));
    db.close();
  });

  it('returns undefined for a config that never ran, creates state on first update', async () => {
    const s = new SqliteStateStore(dbPath);
    expect(await s.get('L1', 'Wrike_Tasks')).toBeUndefined();
    const st = await s.update('L1', 'Wrike_Tasks', { status: 'RUNNING', lastRunId: 'run-1' });
    expect(st).toMatchObject({
      kind: 'L1',
      configId: 'Wrike_Tasks',
      status: 'RUNNING',
      lastRunId: 'run-1',
      version: 1,
    });
    expect(st.statusUpdatedAt).toBeDefined();
    expect(await s.get('L1', 'Wrike_Tasks')).toEqual(st);
    s.close();
  });

  it('merges patches: undefined keeps, null clears, sources merge per name and field', async () => {
    const s = new SqliteStateStore(dbPath);
    await s.update('L2', 'wrike_projects_l2', {
      status: 'RUNNING',
      lastError: 'boom',
      sources: { contacts: { lastSuccessfulFetchTime: '2025-01-01T00:00:00Z', lastSnapshotId: '123' } },
    });
    await s.update('L2', 'wrike_projects_l2', {
      status: 'COMPLETED',
      lastError: null,
      lastSuccessfulRun: '2025-01-02T00:00:00Z',
      sources: {
        contacts: { lastSnapshotId: '9223372036854775807' },
        folders: { lastSuccessfulFetchTime: '2025-01-02T00:00:00Z' },
      },
    });
    const st = (await s.get('L2', 'wrike_projects_l2'))!;
    expect(st.status).toBe('COMPLETED');
    expect(st.lastError).toBeUndefined();
    expect(st.lastSuccessfulRun).toBe('2025-01-02T00:00:00Z');
    expect(st.sources).toEqual({
      contacts: { lastSuccessfulFetchTime: '2025-01-01T00:00:00Z', lastSnapshotId: '9223372036854775807' },
      folders: { lastSuccessfulFetchTime: '2025-01-02T00:00:00Z' },
    });
    expect(st.version).toBe(2);
    await s.update('L2', 'wrike_projects_l2', { sources: { contacts: { lastSuccessfulFetchTime: null } } });
    expect((await s.get('L2', 'wrike_projects_l2'))!.sources.contacts).toEqual({
      lastSnapshotId: '9223372036854775807',
    });
    s.close();
  });

  it('keeps L1 and L2 state apart for the same config id', async () => {
    const s = new SqliteStateStore(dbPath);
    await s.update('L1', 'same', { lastSyncTime: '2025-01-01T00:00:00Z' });
    await s.update('L2', 'same', { status: 'FAILED' });
    expect((await s.get('L1', 'same'))!.lastSyncTime).toBe('2025-01-01T00:00:00Z');
    expect((await s.get('L1', 'same'))!.status).toBeUndefined();
    expect((await s.get('L2', 'same'))!.lastSyncTime).toBeUndefined();
    expect((await s.list('L1')).map((x) => x.configId)).toEqual(['same']);
    expect((await s.list('L2')).map((x) => x.status)).toEqual(['FAILED']);
    s.close();
  });

  it('a RUNNING marker left by a crashed run does not block the next run, which takes over', async () => {
    const crashed = new SqliteStateStore(dbPath);
    await crashed.update('L1', 'c', { status: 'RUNNING', lastRunId: 'dead-run', lastSyncTime: 'cursor-1' });
    crashed.close(); // the process dies without finishing

    const s = new SqliteStateStore(dbPath);
    const before = (await s.get('L1', 'c'))!;
    expect(before.status).toBe('RUNNING');
    const mine = await s.update('L1', 'c', { status: 'RUNNING', lastRunId: 'run-2' });
    expect(mine.lastSyncTime).toBe('cursor-1'); // the cursor is what was committed, untouched
    const done = await s.update(
      'L1',
      'c',
      { status: 'COMPLETED', lastSyncTime: 'cursor-2' },
      { ifLastRunId: 'run-2' },
    );
    expect(done.status).toBe('COMPLETED');
    // The dead run, were it to wake up, cannot overwrite the newer run's outcome.
    await expect(s.update('L1', 'c', { status: 'FAILED' }, { ifLastRunId: 'dead-run' })).rejects.toSatisfy(
      (e) => isFloeError(e, 'commit-conflict'),
    );
    expect((await s.get('L1', 'c'))!.status).toBe('COMPLETED');
    s.close();
  });

  it('redacts registered secrets in lastError', async () => {
    registerSecret('canary-secret-XYZ123');
    const s = new SqliteStateStore(dbPath);
    const st = await s.update('L1', 'c', {
      status: 'FAILED',
      lastError: 'GET ?token=canary-secret-XYZ123 → 401',
    });
    expect(st.lastError).toBe('GET ?token=*** → 401');
    expect(JSON.stringify(await s.get('L1', 'c'))).not.toContain('canary-secret-XYZ123');
    s.close();
  });

  it('two connections interleaving updates never lose one', async () => {
    const a = new SqliteStateStore(dbPath);
    const b = new SqliteStateStore(dbPath);
    const n = 100;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        (i % 2 === 0 ? a : b).update('L2', 'shared', {
          sources: { [`s${i}`]: { lastSnapshotId: String(i) } },
        }),
      ),
    );
    const st = (await a.get('L2', 'shared'))!;
    expect(st.version).toBe(n);
    expect(Object.keys(st.sources)).toHaveLength(n);
    expect((await b.get('L2', 'shared'))!.version).toBe(n);
    a.close();
    b.close();
  });

  it('migrates a version-1 database (status without INTERRUPTED) keeping every row', async () => {
    const { mkdirSync } = await import('node:fs');
    const Database = (await import('better-sqlite3')).default;
    mkdirSync(join(dir, '.floe'), { recursive: true });
    const v1 = new Database(dbPath);
    v1.exec(`
      CREATE TABLE floe_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO floe_meta VALUES ('schema_version', '1');
      CREATE TABLE floe_state (
        kind TEXT NOT NULL CHECK (kind IN ('L1', 'L2')), config_id TEXT NOT NULL,
        status TEXT CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED')), status_updated_at TEXT,
        last_sync_time TEXT, last_successful_run TEXT, last_run_id TEXT, last_run_started_at TEXT,
        last_error TEXT, sources TEXT NOT NULL DEFAULT '{}', version INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL, PRIMARY KEY (kind, config_id));
      INSERT INTO floe_state (kind, config_id, status, last_sync_time, version, updated_at)
        VALUES ('L1', 'Wrike_Tasks', 'RUNNING', '2024-05-01T00:00:00Z', 3, '2024-05-01T00:00:00Z');
    `);
    v1.close();
    const store = new SqliteStateStore(dbPath);
    const before = (await store.get('L1', 'Wrike_Tasks'))!;
    expect(before.lastSyncTime).toBe('2024-05-01T00:00:00Z');
    expect(before.version).toBe(3);
    const after = await store.update('L1', 'Wrike_Tasks', { status: 'INTERRUPTED' });
    expect(after.status).toBe('INTERRUPTED');
    expect(
      (
        store.db.prepare("SELECT value FROM floe_meta WHERE key = 'schema_version'").get() as {
          value: string;
        }
      ).value,
    ).toBe('2');
    store.close();
  });
});
