/**
 * L1 end to end on loopback: the Wrike simulator → `runJob` (the same code `floe run` runs) →
 * Iceberg tables in a local project. Incremental MERGE, APPEND/OVERWRITE semantics, schema
 * evolution on and off, a failing config isolated from the others, cursors that move only
 * after a commit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobParams } from '../../src/config/job-params.js';
import { loadTable } from '../../src/iceberg/index.js';
import { runJob } from '../../src/job/run-job.js';
import { openLocalRuntime } from '../../src/runtime/local/open-local-runtime.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import { instant } from '../support/crash-project.js';
import {
  l1Item,
  type TempProject,
  tasksItem,
  tempProject,
  withProjectCatalog,
} from '../support/l1-project.js';

let sim: WrikeSimulator;
let project: TempProject;
const silent = { write: () => true };

async function run(args: string[]) {
  return runJob(parseJobParams(['--project', project.dir, ...args], {}), {
    logStream: silent,
    now: () => sim.now(),
  });
}

async function tableRows(name: string) {
  return withProjectCatalog(project.dir, async (catalog) => {
    const t = await loadTable(catalog, `wrike_staging.${name}`);
    return { rows: await t.scan().toRows(), table: t };
  });
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

beforeAll(async () => {
  sim = await startWrikeSimulator({ tasks: 1200, rateLimit: false, seed: 7 });
  project = tempProject(sim, sim.permanentToken ?? 'sim-permanent-token');
  project.writeConfig(tasksItem(sim));
  project.writeConfig(
    l1Item(sim, {
      configId: 'Wrike_Contacts',
      object: 'contacts',
      path: '/contacts',
      table: 'staging_contacts',
      writeMode: 'OVERWRITE',
    }),
  );
  project.writeConfig(
    l1Item(sim, {
      configId: 'Wrike_Spaces',
      object: 'spaces',
      path: '/spaces',
      table: 'staging_spaces',
      writeMode: 'APPEND',
    }),
  );
  project.writeConfig(
    l1Item(sim, {
      configId: 'Wrike_Broken',
      object: 'nothing',
      path: '/no-such-endpoint',
      table: 'staging_broken',
      writeMode: 'APPEND',
    }),
  );
});
afterAll(async () => {
  await sim?.close();
  project?.cleanup();
});

describe('L1: Wrike → Iceberg staging tables', () => {
  it('first run: every table matches the simulator; a failing config fails alone', async () => {
    const out = await run(['--SAAS_PLATFORM', 'wrike', '--PROCESS_TYPE', 'L1']);
    const by = new Map(out.results.map((r) => [r.configId, r]));
    expect(by.get('Wrike_Broken')?.status).toBe('FAILED');
    expect(by.get('Wrike_Broken')?.error).toMatch(/404|not found|resource_not_found/i);
    for (const id of ['Wrike_Tasks', 'Wrike_Contacts', 'Wrike_Spaces'])
      expect(by.get(id)?.status, id).toBe('SUCCESS');
    expect(out.ok).toBe(false);

    const tasks = await tableRows('staging_tasks');
    const truth = await collect(sim.records('tasks'));
    expect(tasks.rows.length).toBe(truth.length);
    const byId = new Map(tasks.rows.map((r) => [r.id, r]));
    for (const t of truth.slice(0, 50)) {
      const row = byId.get(t.id)!;
      expect(row, String(t.id)).toBeDefined();
      expect(row.title).toBe(t.title);
      // An ISO-8601 date-time from the API is a timestamptz column.
      expect(instant(row.updated_date)).toBe(instant(t.updatedDate));
      expect(row.ingest_run_id).toBe(out.runId);
    }
    const contacts = await tableRows('staging_contacts');
    expect(contacts.rows.length).toBe((await collect(sim.records('contacts'))).length);
    const snap = tasks.table.currentSnapshot()!;
    expect(snap.summary['floe.run-id']).toBe(out.runId);
    expect(snap.summary['floe.sync-cursor']).toBe(by.get('Wrike_Tasks')!.cursor);

    const rt = await openLocalRuntime(project.dir, { logStream: silent });
    try {
      const broken = await rt.state.get('L1', 'Wrike_Broken');
      expect(broken?.status).toBe('FAILED');
      expect(broken?.lastSyncTime ?? null).toBeNull();
      const hist = await rt.history.list({ configId: 'Wrike_Broken' });
      expect(hist[0]).toMatchObject({ configId: 'Wrike_Broken', lastRunStatus: 'FAILED', snapshot_id: '' });
      const ok = await rt.history.list({ configId: 'Wrike_Tasks' });
      expect(ok[0]).toMatchObject({
        lastRunStatus: 'SUCCESS',
        load_type: 'INCREMENTAL',
        totalRecordsProcessed: truth.length,
        snapshot_id: String(snap['snapshot-id']),
      });
      expect((await rt.state.get('L1', 'Wrike_Tasks'))?.lastSyncTime).toBe(by.get('Wrike_Tasks')!.cursor);
    } finally {
      await rt.close();
    }
  });

  it('second INCREMENTAL run after the clock moves: only changes fetched, MERGE keeps one row per id', async () => {
    sim.advanceClock(36 * 3600_000);
    const out = await run(['--platform', 'wrike', '--process-type', 'staging', '--config-id', 'Wrike_Tasks']);
    const r = out.results[0]!;
    expect(r.status).toBe('SUCCESS');
    const truth = await collect(sim.records('tasks'));
    const { rows } = await tableRows('staging_tasks');
    expect(r.records).toBeLessThan(truth.length / 2);
    expect(r.records).toBeGreaterThan(0);
    expect(rows.length).toBe(truth.length);
    expect(new Set(rows.map((x) => x.id)).size).toBe(rows.length);
    const byId = new Map(rows.map((x) => [x.id, x]));
    for (const t of truth)
      expect(instant(byId.get(t.id)?.updated_date), String(t.id)).toBe(instant(t.updatedDate));
  });

  it('a lookback window re-reads recent records before the cursor; MERGE keeps them unique', async () => {
    const item = tasksItem(sim);
    const again = await run(['--platform', 'wrike', '--config-id', 'Wrike_Tasks', '--process-type', 'L1']);
    const reread = again.results[0]!.records;
    (item.destination as Record<string, unknown>).lookbackSeconds = 30 * 86_400;
    project.writeConfig(item);
    const looked = await run(['--platform', 'wrike', '--config-id', 'Wrike_Tasks', '--process-type', 'L1']);
    expect(looked.results[0]!.status).toBe('SUCCESS');
    expect(looked.results[0]!.records).toBeGreaterThan(reread);
    const { rows } = await tableRows('staging_tasks');
    expect(new Set(rows.map((x) => x.id)).size).toBe(rows.length);
    expect(rows.length).toBe((await collect(sim.records('tasks'))).length);
    delete (item.destination as Record<string, unknown>).lookbackSeconds;
    project.writeConfig(item);
  });

  it('APPEND adds rows on every run; OVERWRITE replaces them', async () => {
    const before = (await tableRows('staging_spaces')).rows.length;
    const contactsBefore = (await tableRows('staging_contacts')).rows.length;
    await run(['--platform', 'wrike', '--config-id', 'Wrike_Spaces', '--process-type', 'L1']);
    await run(['--platform', 'wrike', '--config-id', 'Wrike_Contacts', '--process-type', 'L1']);
    expect((await tableRows('staging_spaces')).rows.length).toBe(before * 2);
    expect((await tableRows('staging_contacts')).rows.length).toBe(contactsBefore);
  });

  it('a new API field adds a column with schemaEvolution, and fails the config without it', async () => {
    // Same objects, now asked for with an optional field the table does not have yet.
    project.writeConfig(
      l1Item(sim, {
        configId: 'Wrike_Contacts',
        object: 'contacts',
        path: '/contacts',
        table: 'staging_contacts',
        writeMode: 'OVERWRITE',
        params: { fields: '["metadata"]' },
        schemaEvolution: false,
      }),
    );
    const refused = await run([
      '--platform',
      'wrike',
      '--config-id',
      'Wrike_Contacts',
      '--process-type',
      'L1',
    ]);
    expect(refused.results[0]!.status).toBe('FAILED');
    expect(refused.results[0]!.error).toMatch(/new field\(s\) metadata .*schemaEvolution/);
    project.writeConfig(
      l1Item(sim, {
        configId: 'Wrike_Contacts',
        object: 'contacts',
        path: '/contacts',
        table: 'staging_contacts',
        writeMode: 'OVERWRITE',
        params: { fields: '["metadata"]' },
        schemaEvolution: true,
      }),
    );
    const evolved = await run([
      '--platform',
      'wrike',
      '--config-id',
      'Wrike_Contacts',
      '--process-type',
      'L1',
    ]);
    expect(evolved.results[0]!.status).toBe('SUCCESS');
    const { table } = await tableRows('staging_contacts');
    expect(table.schema().fields.some((f) => f.name === 'metadata')).toBe(true);
  });

  it('PROCESS_TYPE L2 runs the L2 layer: with no L2 configs, nothing runs and nothing is unavailable', async () => {
    const out = await run(['--platform', 'wrike', '--PROCESS_TYPE', 'L2']);
    expect(out.unavailable).toEqual([]);
    expect(out.results).toEqual([]);
    expect(out.ok).toBe(true);
  });
});
