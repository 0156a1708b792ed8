/**
 * A catalog or state database SQLite cannot read (random bytes, a truncated file, a zeroed page in
 * the middle) is reported on open, naming the file, what it holds and the fix, instead of
 * "database disk image is malformed" mid-run; and neither is silently created when asked not to.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFloeError } from '../../src/errors.js';
import { SqlCatalog } from '../../src/iceberg/index.js';
import { SqliteHistoryStore } from '../../src/runtime/local/sqlite-history.js';
import { SqliteStateStore } from '../../src/runtime/local/sqlite-state.js';
import { openStateDb } from '../../src/runtime/local/state-db.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'floe-integrity-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const PAGE = 4096;

/** A catalog file of many pages: 300 tables with long metadata paths. */
async function bigCatalog(path: string): Promise<void> {
  const c = new SqlCatalog({ name: 'floe', path, warehouse: join(dir, 'warehouse') });
  await c.createNamespace(['ns']);
  for (let i = 0; i < 300; i++)
    await c.registerTable(
      { namespace: ['ns'], name: `t${i}` },
      `file:///nowhere/${'x'.repeat(200)}/${i}.metadata.json`,
    );
  await c.close();
}

/** A state file of many pages: 300 configs with history. */
async function bigState(path: string): Promise<void> {
  const state = new SqliteStateStore(path);
  const history = new SqliteHistoryStore(path);
  for (let i = 0; i < 300; i++) {
    await state.update('L1', `config_${i}`, { status: 'COMPLETED', lastSyncTime: '2024-01-01T00:00:00Z' });
    await history.record({
      configId: `config_${i}`,
      'job-id': 'job',
      load_type: 'FULL',
      loadTimestamp: '2024-01-01T00:00:00Z',
      snapshot_id: '',
      error: 'x'.repeat(300),
      lastRunStatus: 'SUCCESS',
      totalRecordsProcessed: i,
      runId: `run-${i}`,
      processType: 'L1',
      durationMs: 1,
    });
  }
  state.close();
  history.close();
}

type Damage = 'random bytes' | 'truncated' | 'zeroed middle page';

function damage(path: string, how: Damage): void {
  const size = statSync(path).size;
  expect(size).toBeGreaterThan(8 * PAGE);
  if (how === 'random bytes') writeFileSync(path, randomBytes(size));
  else if (how === 'truncated') truncateSync(path, Math.floor(size / PAGE / 2) * PAGE);
  else {
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(PAGE), 0, PAGE, Math.floor(size / PAGE / 2) * PAGE);
    closeSync(fd);
  }
}

const DAMAGES: Damage[] = ['random bytes', 'truncated', 'zeroed middle page'];

describe('a damaged catalog database', () => {
  for (const how of DAMAGES) {
    it(`${how}: opening it names the file, what it holds and the fix`, async () => {
      const path = join(dir, '.floe', 'catalog.db');
      await bigCatalog(path);
      damage(path, how);
      let err: unknown;
      try {
        new SqlCatalog({ name: 'floe', path, warehouse: join(dir, 'warehouse') });
      } catch (e) {
        err = e;
      }
      expect(isFloeError(err, 'io'), String(err)).toBe(true);
      const msg = (err as Error).message;
      expect(msg).toContain(`the catalog database ${path} is damaged`);
      expect(msg).toContain('which metadata file each table points at');
      expect(msg).toMatch(/restore .* from a backup/);
      expect(msg).toContain('`floe catalog recover`');
    });
  }
});

describe('a damaged state database', () => {
  for (const how of DAMAGES) {
    it(`${how}: opening it names the file, what it holds and the fix`, async () => {
      const path = join(dir, '.floe', 'state.db');
      await bigState(path);
      damage(path, how);
      let err: unknown;
      try {
        openStateDb(path);
      } catch (e) {
        err = e;
      }
      expect(isFloeError(err, 'io'), String(err)).toBe(true);
      const msg = (err as Error).message;
      expect(msg).toContain(`the state database ${path} is damaged`);
      expect(msg).toContain('sync cursors, config statuses and run history');
      expect(msg).toMatch(/restore .* from a backup/);
      expect(msg).toContain('`floe state reset`');
    });
  }

  it('create: false refuses a missing or empty file instead of starting a new one', () => {
    const path = join(dir, 'state.db');
    expect(() => openStateDb(path, { create: false })).toThrow(/state\.db does not exist.*floe state reset/);
    writeFileSync(path, '');
    expect(() => openStateDb(path, { create: false })).toThrow(/state\.db is empty \(0 bytes\)/);
    expect(statSync(path).size).toBe(0);
  });
});

describe('SqlCatalog create: false', () => {
  it('refuses a missing or empty file instead of creating an empty catalog', () => {
    const path = join(dir, 'catalog.db');
    const open = () => new SqlCatalog({ name: 'floe', path, warehouse: join(dir, 'w'), create: false });
    expect(open).toThrow(/catalog\.db does not exist.*floe catalog recover/);
    writeFileSync(path, '');
    expect(open).toThrow(/catalog\.db is empty \(0 bytes\)/);
    expect(statSync(path).size).toBe(0);
  });
});
