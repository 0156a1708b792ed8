/**
 * The table is the truth about how far a sync got. These cases each leave state and table out
 * of step the way real incidents do, and check that the next run brings the state back in line
 * from the table (no record fetched or appended twice, none skipped), records what happened in
 * history, or refuses when continuing would lose data:
 *  - killed between the commit and the state update (APPEND): the commit is adopted;
 *  - killed before committing: recorded INTERRUPTED on the next start;
 *  - the state database reset: cursors come back from the tables;
 *  - a table rolled back to an earlier snapshot: the sync resumes from the table's cursor;
 *  - a table gone from the catalog although this config committed to it: the run refuses.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resetState } from '../../src/cli/commands/state.js';
import { registerTable } from '../../src/cli/commands/table.js';
import { loadTable } from '../../src/iceberg/index.js';
import { SqliteHistoryStore } from '../../src/runtime/local/sqlite-history.js';
import { SqliteStateStore } from '../../src/runtime/local/sqlite-state.js';
import { openStateDb } from '../../src/runtime/local/state-db.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import {
  crashConfigs,
  killedWrikeL1,
  runWrikeL1,
  simTruth,
  tableVersions,
} from '../support/crash-project.js';
import { type TempProject, tempProject, withProjectCatalog } from '../support/l1-project.js';

const DAY = 24 * 3600_000;
const APPEND = 'wrike_staging.tasks_append';
const MERGE = 'wrike_staging.tasks_merge';

let sim: WrikeSimulator;
let project: TempProject;
afterEach(async () => {
  await sim?.close();
  project?.cleanup();
});

async function setup(configs: ('Tasks_Append' | 'Tasks_Merge' | 'Tasks_Overwrite')[]): Promise<void> {
  sim = await startWrikeSimulator({ tasks: 1500, rateLimit: false, seed: 9 });
  project = tempProject(sim, 'sim-permanent-token');
  for (const c of crashConfigs(sim, 200)) if (configs.includes(c.configId as never)) project.writeConfig(c);
}

const run = () => runWrikeL1(project.dir);
const killedRun = (failpoint: string) => killedWrikeL1(project.dir, failpoint);
const versions = (table: string) => tableVersions(project.dir, table);

function stores() {
  const db = openStateDb(join(project.dir, '.floe', 'state.db'));
  return { db, state: new SqliteStateStore(db), history: new SqliteHistoryStore(db) };
}

describe('state follows the table', () => {
  it('APPEND killed between its commit and its state update: the next run adopts the commit, appends nothing twice', async () => {
    await setup(['Tasks_Append']);
    const t0 = await simTruth(sim);
    expect((await run()).ok).toBe(true);
    sim.advanceClock(DAY);
    const t1 = await simTruth(sim);
    expect(await killedRun('l1.after-commit')).toBe('SIGKILL');
    const s = stores();
    const stale = (await s.state.get('L1', 'Tasks_Append'))!;
    expect(stale.status).toBe('RUNNING');
    const deadRun = stale.lastRunId!;
    s.db.close();

    const next = await run();
    expect(next.ok).toBe(true);
    const rows = await versions(APPEND);
    expect(rows.length).toBe(new Set(rows).size);
    expect(new Set(rows)).toEqual(new Set([...t0, ...t1]));
    expect(next.log).toContain(`run ${deadRun} committed snapshot`);
    const after = stores();
    const recovered = await after.history.find(deadRun, 'L1', 'Tasks_Append');
    expect(recovered?.lastRunStatus).toBe('SUCCESS');
    expect(recovered?.snapshot_id).not.toBe('');
    expect(recovered?.note).toMatch(/recovered .* from wrike_staging.tasks_append/);
    after.db.close();
  }, 120_000);

  it('killed while fetching: the next start records the run INTERRUPTED, and the table is untouched', async () => {
    await setup(['Tasks_Merge']);
    expect((await run()).ok).toBe(true);
    const before = await versions(MERGE);
    sim.advanceClock(DAY);
    expect(await killedRun('l1.page:1')).toBe('SIGKILL');
    expect(await versions(MERGE)).toEqual(before);
    const s = stores();
    const deadRun = (await s.state.get('L1', 'Tasks_Merge'))!.lastRunId!;
    expect(await s.history.find(deadRun, 'L1', 'Tasks_Merge')).toBeUndefined();
    s.db.close();

    const next = await run();
    expect(next.ok).toBe(true);
    const after = stores();
    const h = await after.history.find(deadRun, 'L1', 'Tasks_Merge');
    expect(h?.lastRunStatus).toBe('INTERRUPTED');
    expect(h?.note).toMatch(/stopped without finishing/);
    expect((await after.state.get('L1', 'Tasks_Merge'))!.status).toBe('COMPLETED');
    after.db.close();
    expect(new Set(await versions(MERGE))).toEqual(new Set(await simTruth(sim)));
  }, 120_000);

  it('a reset state database: cursors come back from the tables, nothing is appended twice', async () => {
    await setup(['Tasks_Append']);
    const t0 = await simTruth(sim);
    expect((await run()).ok).toBe(true);
    const plan = await resetState({ project: project.dir, yes: true });
    expect(plan.done).toBe(true);
    expect(plan.lines.join('\n')).toMatch(
      /Tasks_Append: resumes from \S+ \(from table wrike_staging.tasks_append/,
    );
    sim.advanceClock(DAY);
    const t1 = await simTruth(sim);
    const next = await run();
    expect(next.ok).toBe(true);
    // Only the changes since the table's cursor were fetched, not the whole object again.
    expect(next.results[0]!.records).toBeLessThan(t1.length / 2);
    const rows = await versions(APPEND);
    expect(rows.length).toBe(new Set(rows).size);
    expect(new Set(rows)).toEqual(new Set([...t0, ...t1]));
  }, 120_000);

  it('a table rolled back to an earlier snapshot: the sync resumes from the table, not the state', async () => {
    await setup(['Tasks_Append', 'Tasks_Merge']);
    const t0 = await simTruth(sim);
    expect((await run()).ok).toBe(true);
    const firstMetadata = await withProjectCatalog(project.dir, async (c) => ({
      append: (await loadTable(c, APPEND)).metadataLocation,
      merge: (await loadTable(c, MERGE)).metadataLocation,
    }));
    sim.advanceClock(DAY);
    expect((await run()).ok).toBe(true);
    // Someone rolls both tables back to the first sync's metadata.
    await registerTable(APPEND, firstMetadata.append, { project: project.dir, force: true });
    await registerTable(MERGE, firstMetadata.merge, { project: project.dir, force: true });
    sim.advanceClock(DAY);
    const t2 = await simTruth(sim);
    const next = await run();
    expect(next.ok).toBe(true);
    expect(next.log).toMatch(
      /is past the newest commit of this config .* the table is the truth, so this sync resumes from/,
    );
    expect(new Set(await versions(MERGE))).toEqual(new Set(t2));
    const appended = await versions(APPEND);
    expect(appended.length).toBe(new Set(appended).size);
    // Every version since the rollback point is back (versions that later changed again included
    // only if the API still serves them: an API shows the newest version of each record).
    for (const v of t2) expect(appended).toContain(v);
    for (const v of t0) expect(appended).toContain(v);
  }, 120_000);

  it('a cursor rewound on purpose is honoured: the window is read again, nothing is stored twice', async () => {
    await setup(['Tasks_Append', 'Tasks_Merge']);
    const t0 = await simTruth(sim);
    expect((await run()).ok).toBe(true);
    sim.advanceClock(DAY);
    expect((await run()).ok).toBe(true);
    const t1 = await simTruth(sim);
    // An operator sets both cursors back to before the first sync's newest changes.
    const s = stores();
    for (const id of ['Tasks_Append', 'Tasks_Merge'])
      await s.state.update('L1', id, { lastSyncTime: '2023-06-01T00:00:00Z' });
    s.db.close();
    const again = await run();
    expect(again.ok).toBe(true);
    // The rewound window was fetched again (far more than the few changes since the last run) …
    for (const r of again.results) expect(r.records).toBeGreaterThan(300);
    // … and stored once.
    const appended = await versions(APPEND);
    expect(appended.length).toBe(new Set(appended).size);
    expect(new Set(appended)).toEqual(new Set([...t0, ...t1]));
    expect(new Set(await versions(MERGE))).toEqual(new Set(t1));
  }, 120_000);

  it('a table dropped from the catalog although this config committed to it: the config refuses to start over', async () => {
    // (With no table left at all, the project preflight already refuses the whole run.)
    await setup(['Tasks_Append', 'Tasks_Merge']);
    expect((await run()).ok).toBe(true);
    await withProjectCatalog(project.dir, (c) =>
      c.dropTable({ namespace: ['wrike_staging'], name: 'tasks_append' }, { purge: true }),
    );
    const next = await run();
    expect(next.ok).toBe(false);
    const append = next.results.find((r) => r.configId === 'Tasks_Append')!;
    expect(append.status).toBe('FAILED');
    expect(append.error).toMatch(
      /table wrike_staging.tasks_append does not exist in the catalog, but run \S+ of this config committed snapshot \d+/,
    );
    expect(append.error).toMatch(/floe catalog recover/);
    expect(append.error).toMatch(/floe state reset --config Tasks_Append --yes/);
    // The other config is not held back.
    expect(next.results.find((r) => r.configId === 'Tasks_Merge')!.status).toBe('SUCCESS');
    // Rebuilding on purpose: forget the config's cursor, and the next run fetches everything.
    const { resetConfigState } = await import('../../src/cli/commands/state.js');
    expect((await resetConfigState({ project: project.dir, config: 'Tasks_Append', yes: true })).done).toBe(
      true,
    );
    const rebuilt = await run();
    expect(rebuilt.ok).toBe(true);
    expect(new Set(await versions(APPEND))).toEqual(new Set(await simTruth(sim)));
  }, 120_000);
});
