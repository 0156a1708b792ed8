import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteHistoryStore } from '../../src/runtime/local/sqlite-history.js';
import type { HistoryEntry } from '../../src/runtime/ports/history-store.js';
import { clearSecretsForTest, registerSecret } from '../../src/util/redact.js';

let dir: string;
let store: SqliteHistoryStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'floe-history-'));
  store = new SqliteHistoryStore(join(dir, 'state.db'));
});
afterEach(() => {
  store.close();
  clearSecretsForTest();
  rmSync(dir, { recursive: true, force: true });
});

function entry(over: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    configId: 'wrike-projects-prod',
    'job-id': 'run-1',
    load_type: 'FULL',
    loadTimestamp: '2024-01-15T10:30:00Z',
    snapshot_id: '7709183746537198123',
    error: '',
    lastRunStatus: 'SUCCESS',
    totalRecordsProcessed: 1250,
    runId: 'run-1',
    processType: 'L1',
    durationMs: 4200,
    ...over,
  };
}

describe('SqliteHistoryStore', () => {
  it("stores and returns entries in the seed's shape with its exact field names", async () => {
    await store.record(entry({ table: 'wrike_test.projects', cursor: '2024-01-15T10:00:00Z' }));
    const [e] = await store.list();
    expect(e).toEqual({
      configId: 'wrike-projects-prod',
      'job-id': 'run-1',
      load_type: 'FULL',
      loadTimestamp: '2024-01-15T10:30:00.000Z',
      snapshot_id: '7709183746537198123',
      error: '',
      lastRunStatus: 'SUCCESS',
      totalRecordsProcessed: 1250,
      runId: 'run-1',
      processType: 'L1',
      durationMs: 4200,
      table: 'wrike_test.projects',
      cursor: '2024-01-15T10:00:00Z',
    });
    // Every field of the seed's history item is present.
    for (const k of [
      'configId',
      'job-id',
      'load_type',
      'loadTimestamp',
      'snapshot_id',
      'error',
      'lastRunStatus',
      'totalRecordsProcessed',
    ]) {
      expect(e).toHaveProperty([k]);
    }
  });

  it('fills seed fields a failed run has no value for with empty strings', async () => {
    const failed = entry({ lastRunStatus: 'FAILED', error: 'HTTP 500 from /tasks' });
    // biome-ignore lint/suspicious/noExplicitAny: simulating a caller that omits optional seed fields
    delete (failed as any).snapshot_id;
    await store.record(failed);
    const [e] = await store.list();
    expect(e!.snapshot_id).toBe('');
    expect(e!.error).toBe('HTTP 500 from /tasks');
    expect(e!.lastRunStatus).toBe('FAILED');
  });

  it('lists newest first and filters by config, layer, since and limit', async () => {
    await store.record(entry({ runId: 'r1', configId: 'a', loadTimestamp: '2024-01-01T00:00:00Z' }));
    await store.record(entry({ runId: 'r2', configId: 'b', loadTimestamp: '2024-01-02T00:00:00Z' }));
    await store.record(
      entry({ runId: 'r3', configId: 'a', loadTimestamp: '2024-01-03T00:00:00Z', processType: 'L2' }),
    );
    await store.record(entry({ runId: 'r4', configId: 'a', loadTimestamp: '2024-01-04T00:00:00+02:00' }));
    expect((await store.list()).map((e) => e.runId)).toEqual(['r4', 'r3', 'r2', 'r1']);
    expect((await store.list({ configId: 'a' })).map((e) => e.runId)).toEqual(['r4', 'r3', 'r1']);
    expect((await store.list({ processType: 'L2' })).map((e) => e.runId)).toEqual(['r3']);
    expect((await store.list({ since: '2024-01-02T00:00:00Z' })).map((e) => e.runId)).toEqual([
      'r4',
      'r3',
      'r2',
    ]);
    expect((await store.list({ since: new Date('2024-01-03T00:00:00Z') })).map((e) => e.runId)).toEqual([
      'r4',
      'r3',
    ]);
    expect((await store.list({ limit: 2 })).map((e) => e.runId)).toEqual(['r4', 'r3']);
    await expect(store.list({ limit: 0 })).rejects.toThrow(/positive integer/);
    await expect(store.list({ since: 'yesterday-ish' })).rejects.toThrow(/ISO-8601/);
  });

  it('recording the same run and config twice replaces the entry (no duplicates on retry)', async () => {
    await store.record(entry({ lastRunStatus: 'FAILED', error: 'first try' }));
    await store.record(entry({ lastRunStatus: 'SUCCESS' }));
    const all = await store.list();
    expect(all).toHaveLength(1);
    expect(all[0]!.lastRunStatus).toBe('SUCCESS');
  });

  it('redacts secrets in every string field before storing', async () => {
    registerSecret('canary-TOKEN-9f8e7d');
    await store.record(entry({ lastRunStatus: 'FAILED', error: 'Bearer canary-TOKEN-9f8e7d rejected' }));
    const raw = store.db.prepare('SELECT entry FROM floe_history').all();
    expect(JSON.stringify(raw)).not.toContain('canary-TOKEN-9f8e7d');
    expect((await store.list())[0]!.error).toBe('Bearer *** rejected');
  });
});
