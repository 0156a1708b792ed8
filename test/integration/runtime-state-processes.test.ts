/**
 * Two OS processes updating the same config's state at the same time: every update lands (the
 * read-merge-write is serialised by SQLite's write lock, busy_timeout makes the loser wait).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteHistoryStore } from '../../src/runtime/local/sqlite-history.js';
import { SqliteStateStore } from '../../src/runtime/local/sqlite-state.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'floe-state-proc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stateModule = new URL('../../src/runtime/local/sqlite-state.ts', import.meta.url).pathname;
const historyModule = new URL('../../src/runtime/local/sqlite-history.ts', import.meta.url).pathname;

const worker = `
const { SqliteStateStore } = await import(${JSON.stringify(stateModule)});
const { SqliteHistoryStore } = await import(${JSON.stringify(historyModule)});
const [db, name, count] = process.argv.slice(1);
const state = new SqliteStateStore(db);
const history = new SqliteHistoryStore(state.db);
for (let i = 0; i < Number(count); i++) {
  await state.update('L1', 'shared', { lastSyncTime: name + '-' + i, sources: { [name + i]: { lastSnapshotId: String(i) } } });
  await history.record({ configId: 'shared', 'job-id': name, load_type: 'FULL', loadTimestamp: new Date().toISOString(),
    snapshot_id: String(i), error: '', lastRunStatus: 'SUCCESS', totalRecordsProcessed: i, runId: name + '-' + i,
    processType: 'L1', durationMs: 1 });
}
state.close();
`;

describe('state database shared by two processes', () => {
  it('serialises concurrent updates and history writes from two processes', async () => {
    const db = join(dir, 'state.db');
    // Create the schema first so both workers race only on updates.
    new SqliteStateStore(db).close();
    const n = 60;
    await Promise.all(
      ['p1', 'p2'].map((name) =>
        run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', worker, db, name, String(n)], {
          timeout: 120_000,
        }),
      ),
    );
    const state = new SqliteStateStore(db);
    const st = (await state.get('L1', 'shared'))!;
    expect(st.version).toBe(2 * n);
    expect(Object.keys(st.sources)).toHaveLength(2 * n);
    expect(st.lastSyncTime).toMatch(/^p[12]-59$/);
    const history = new SqliteHistoryStore(state.db);
    expect(await history.list({ configId: 'shared', limit: 1000 })).toHaveLength(2 * n);
    state.close();
  });
});
