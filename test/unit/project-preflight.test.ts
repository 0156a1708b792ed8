/**
 * The checks a run makes before it opens anything: which combinations of catalog, state and
 * warehouse are a new project (pass, nothing created) and which are a lost database (stop).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTable, SqlCatalog } from '../../src/iceberg/index.js';
import { checkProjectIntegrity, type IntegrityTarget } from '../../src/job/preflight.js';
import { SqliteStateStore } from '../../src/runtime/local/sqlite-state.js';
import { markStateReset, openStateDb } from '../../src/runtime/local/state-db.js';

let dir: string;
let target: IntegrityTarget;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'floe-preflight-'));
  target = {
    catalogPath: join(dir, '.floe', 'catalog.db'),
    catalogName: 'floe',
    warehouse: join(dir, 'warehouse'),
    statePath: join(dir, '.floe', 'state.db'),
    projectRoot: dir,
  };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function catalog(name = 'floe') {
  return new SqlCatalog({ name, path: target.catalogPath, warehouse: target.warehouse });
}

/** ns.<name> with one snapshot; `floe` adds floe's summary keys to the commit. */
async function tableWithData(c: SqlCatalog, name: string, floe: boolean) {
  if (!(await c.namespaceExists(['ns']))) await c.createNamespace(['ns']);
  const t = await createTable(c, `ns.${name}`, { schema: [{ name: 'id', type: 'long' }] });
  await t.append([{ id: 1 }], floe ? { summary: { 'floe.run-id': 'run-1', 'floe.config-id': 'Cfg' } } : {});
  return t;
}

describe('checkProjectIntegrity', () => {
  it('passes a project with nothing yet, and creates nothing', async () => {
    await checkProjectIntegrity(target);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('passes a project whose only runs failed before creating a table (no sync saved)', async () => {
    const s = new SqliteStateStore(target.statePath!);
    await s.update('L1', 'Cfg', { status: 'FAILED', lastError: 'HTTP 401' });
    s.close();
    await checkProjectIntegrity(target);
    expect(existsSync(target.catalogPath)).toBe(false);
  });

  it('stops when the state says a config synced but there is no catalog', async () => {
    const s = new SqliteStateStore(target.statePath!);
    await s.update('L1', 'Cfg', { status: 'COMPLETED', lastSyncTime: '2024-01-01T00:00:00Z' });
    s.close();
    await expect(checkProjectIntegrity(target)).rejects.toThrow(
      /catalog\.db does not exist, but this project has tables: 1 config with a saved sync .*\(Cfg\).*`floe state reset/s,
    );
  });

  it('passes a first run that crashed between writing a new table metadata file and registering it', async () => {
    // The folder holds metadata without a snapshot: no data, so creating the table again loses nothing.
    const c = catalog();
    await c.createNamespace(['ns']);
    await createTable(c, 'ns.t', { schema: [{ name: 'id', type: 'long' }] });
    await c.close();
    const db = new Database(target.catalogPath);
    db.prepare('DELETE FROM iceberg_tables').run();
    db.close();
    await checkProjectIntegrity(target);
    rmSync(target.catalogPath);
    await checkProjectIntegrity(target);
    // Once the folder has a snapshot, the same catalog loss stops the run.
    const again = catalog();
    const t = await tableWithData(again, 'u', false);
    await again.close();
    expect(t.snapshots().length).toBe(1);
    rmSync(target.catalogPath);
    await expect(checkProjectIntegrity(target)).rejects.toThrow(
      /catalog\.db does not exist, but this project has tables: 1 table folder with data under .* \(ns\.u\)/,
    );
  });

  it('names the other catalog when floe.yaml names one the file does not have', async () => {
    const c = catalog('prod');
    await tableWithData(c, 't', false);
    await c.close();
    await expect(checkProjectIntegrity(target)).rejects.toThrow(
      /has no tables for catalog "floe" \(it has tables for catalog "prod": check catalog\.name in floe\.yaml\)/,
    );
  });

  it('stops on a table folder with data that the catalog lost; a folder without snapshots is no reason', async () => {
    const c = catalog();
    await tableWithData(c, 'kept', false);
    await tableWithData(c, 'lost', false);
    await createTable(c, 'ns.empty', { schema: [{ name: 'id', type: 'long' }] });
    await c.close();
    const db = new Database(target.catalogPath);
    db.prepare("DELETE FROM iceberg_tables WHERE table_name IN ('lost', 'empty')").run();
    db.close();
    await expect(checkProjectIntegrity(target)).rejects.toThrow(
      /does not list 1 table whose data is in the warehouse: ns\.lost \(.*1 snapshot\).*`floe catalog recover/s,
    );
    const again = catalog();
    await again.dropTable({ namespace: ['ns'], name: 'kept' });
    await again.close();
    // Now only the 'empty' folder and 'kept' (data, unregistered) remain: still stops, for 'kept'.
    await expect(checkProjectIntegrity(target)).rejects.toThrow(/ns\.kept/);
  });

  it('stops on a damaged catalog or state database, whatever else the project holds', async () => {
    const c = catalog();
    await tableWithData(c, 't', true);
    await c.close();
    const s = new SqliteStateStore(target.statePath!);
    await s.update('L1', 'Cfg', { status: 'COMPLETED', lastSyncTime: '2024-01-01T00:00:00Z' });
    s.close();
    const good = readFileSync(target.catalogPath);
    writeFileSync(target.catalogPath, randomBytes(good.length));
    await expect(checkProjectIntegrity(target)).rejects.toThrow(
      /the catalog database .*catalog\.db is damaged \(file is not a database\).*`floe catalog recover`/s,
    );
    writeFileSync(target.catalogPath, good);
    await checkProjectIntegrity(target);
    writeFileSync(target.statePath!, randomBytes(statSync(target.statePath!).size));
    await expect(checkProjectIntegrity(target)).rejects.toThrow(
      /the state database .*state\.db is damaged \(file is not a database\).*`floe state reset`/s,
    );
  });

  it('stops when the state is gone but the tables carry floe commits; not for other writers, not after a reset', async () => {
    const c = catalog();
    await tableWithData(c, 'other', false);
    await checkProjectIntegrity(target);
    await tableWithData(c, 'ours', true);
    await c.close();
    await expect(checkProjectIntegrity(target)).rejects.toThrow(
      /state\.db does not exist, but floe has written to 1 table of this project: ns\.ours \(config Cfg\)/,
    );
    // A state file with its schema but no rows is as lost as none, unless `floe state reset` made it.
    const db = openStateDb(target.statePath!);
    await expect(checkProjectIntegrity(target)).rejects.toThrow(/state\.db holds no state and no history/);
    markStateReset(db);
    db.close();
    await checkProjectIntegrity(target);
  });
});
