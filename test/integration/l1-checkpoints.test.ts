/**
 * Checkpointed large syncs (src/l1/checkpoints.ts): a windowed sync commits at window ends once
 * `destination.checkpoints.everyRecords` records have gathered; killed after a checkpoint, the
 * next run fetches only what comes after it, and the table ends equal to the simulator with no
 * record lost or stored twice. Also what a failed or empty run records and logs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTable } from '../../src/iceberg/index.js';
import {
  SUMMARY_CHECKPOINT,
  SUMMARY_CONFIG_ID,
  SUMMARY_RECORDS,
  SUMMARY_RUN_ID,
} from '../../src/l1/table-cursor.js';
import { SqliteHistoryStore } from '../../src/runtime/local/sqlite-history.js';
import { SqliteStateStore } from '../../src/runtime/local/sqlite-state.js';
import { openStateDb } from '../../src/runtime/local/state-db.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import { killedWrikeL1, runWrikeL1, simTruth, tableVersions } from '../support/crash-project.js';
import { l1Item, type TempProject, tempProject, withProjectCatalog } from '../support/l1-project.js';

const DAY = 24 * 3600_000;
const TASKS = 3000;

let sim: WrikeSimulator;
let project: TempProject;
afterEach(async () => {
  await sim?.close();
  project?.cleanup();
});

/**
 * The simulator's clock starts a minute before the real one, so the run's "now" (the end of its
 * last window) is just after the simulator's: its 365 days of tasks span ~13 windows of 30 days.
 */
async function setup(
  writeMode: 'APPEND' | 'MERGE' | 'OVERWRITE',
  loadType: 'FULL' | 'INCREMENTAL',
  checkpoints: Record<string, unknown> = { everyRecords: 400 },
  tasks = TASKS,
): Promise<string> {
  sim = await startWrikeSimulator({
    tasks,
    rateLimit: false,
    seed: 5,
    startTime: new Date(Date.now() - 60_000).toISOString(),
  });
  project = tempProject(sim, 'sim-permanent-token');
  writeFileSync(
    join(project.dir, 'floe.yaml'),
    'environment: test\nlogs: { format: json, level: info }\nparallelism: 1\n',
  );
  const table = `tasks_${writeMode.toLowerCase()}`;
  const item = l1Item(sim, {
    configId: 'Tasks',
    object: 'tasks',
    path: '/tasks',
    table,
    writeMode,
    loadType,
    paginated: true,
    incremental: true,
  });
  const source = item.source as Record<string, unknown>;
  source.incremental = {
    cursorField: 'updatedDate',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a floe request placeholder, not JS
    params: { updatedDate: '{"start":"${start}","end":"${end}"}' },
    startDate: new Date(Date.now() - 400 * DAY).toISOString(),
    window: 'P30D',
  };
  (item.destination as Record<string, unknown>).checkpoints = checkpoints;
  project.writeConfig(item);
  return `wrike_staging.${table}`;
}

/** The job in-process; its "now" is the simulator's, which tests move forward. */
const run = () => runWrikeL1(project.dir, { now: () => sim.now() });
const killedRun = (failpoint: string) => killedWrikeL1(project.dir, failpoint);
const versions = (table: string) => tableVersions(project.dir, table);

/** Snapshot summaries of the table, oldest first. */
async function commits(table: string): Promise<Record<string, string>[]> {
  return withProjectCatalog(project.dir, async (c) =>
    (await loadTable(c, table)).history().map((s) => s.summary as Record<string, string>),
  );
}

function stores() {
  const db = openStateDb(join(project.dir, '.floe', 'state.db'));
  return { db, state: new SqliteStateStore(db), history: new SqliteHistoryStore(db) };
}

describe('checkpointed syncs', () => {
  it('FULL MERGE killed after its second checkpoint: the next FULL run fetches only the windows after it; the table equals the simulator', async () => {
    const table = await setup('MERGE', 'FULL');
    const truth = await simTruth(sim);
    expect(await killedRun('l1.checkpoint:2')).toBe('SIGKILL');

    const killed = await commits(table);
    expect(killed.length).toBe(2);
    expect(killed.every((s) => s[SUMMARY_CHECKPOINT] === 'FULL')).toBe(true);
    const deadRun = killed[0]![SUMMARY_RUN_ID]!;
    const inCheckpoints = killed.reduce((a, s) => a + Number(s[SUMMARY_RECORDS]), 0);
    expect(inCheckpoints).toBeGreaterThanOrEqual(800);
    // Killed between the second checkpoint's commit and its state update: the state is one behind.
    const s0 = stores();
    const stale = (await s0.state.get('L1', 'Tasks'))!;
    expect(stale.status).toBe('RUNNING');
    s0.db.close();

    const next = await run();
    expect(next.ok).toBe(true);
    expect(next.log).toContain(`resuming from the last checkpoint of run ${deadRun}`);
    // Only the records after the checkpoint were fetched and committed by this run.
    const resumed = next.results[0]!;
    expect(resumed.records).toBe(TASKS - inCheckpoints);

    const rows = await versions(table);
    expect(rows.length).toBe(new Set(rows).size);
    expect(new Set(rows)).toEqual(new Set(truth));

    const s = stores();
    const dead = await s.history.find(deadRun, 'L1', 'Tasks');
    expect(dead?.lastRunStatus).toBe('INTERRUPTED');
    expect(dead?.totalRecordsProcessed).toBe(inCheckpoints);
    expect(dead?.note).toMatch(/stopped after a checkpoint/);
    const state = (await s.state.get('L1', 'Tasks'))!;
    expect(state.status).toBe('COMPLETED');
    s.db.close();

    // The run after that is a normal FULL sync again (its newest commit is no checkpoint).
    const again = await run();
    expect(again.log).not.toContain('resuming from the last checkpoint');
    expect(again.results[0]!.records).toBe(TASKS);
  }, 180_000);

  it('FULL APPEND that another run of the config commits into after its first checkpoint starts over after its own checkpoint, storing nothing twice', async () => {
    const table = await setup('APPEND', 'FULL', { everyRecords: 700 });
    const truth = await simTruth(sim);
    // The other run's commit lands while this run fetches the windows after its first
    // checkpoint: the first request after that checkpoint waits for it. (A commit with no rows,
    // so the table's rows stay this run's.)
    let checkpointed = false;
    let injected: Promise<void> | undefined;
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      if (checkpointed && injected === undefined) {
        injected = withProjectCatalog(project.dir, async (c) => {
          await (await loadTable(c, table)).append([], {
            summary: { [SUMMARY_CONFIG_ID]: 'Tasks', [SUMMARY_RUN_ID]: 'run-other-19700101' },
          });
        });
      }
      if (injected) await injected;
      return realFetch(input, init);
    }) as typeof fetch;
    let out: Awaited<ReturnType<typeof runWrikeL1>>;
    try {
      out = await runWrikeL1(project.dir, {
        now: () => sim.now(),
        onProgress: (p) => {
          // A checkpoint is a write in the middle of the fetch.
          if (p.phase === 'writing' && p.records < TASKS) checkpointed = true;
        },
      });
    } finally {
      globalThis.fetch = realFetch;
    }
    expect(injected).toBeDefined();
    expect(out.ok, out.log).toBe(true);
    expect(out.log).toContain('starting over');
    expect(out.log).toContain(`resuming from the last checkpoint of run ${out.runId}`);
    const rows = await versions(table);
    expect(rows.length).toBe(new Set(rows).size);
    expect(new Set(rows)).toEqual(new Set(truth));
    expect(out.results[0]!.records).toBe(TASKS);
  }, 180_000);

  it('INCREMENTAL APPEND killed after a checkpoint: the next run starts at it; nothing appended twice or missed', async () => {
    const table = await setup('APPEND', 'INCREMENTAL', { everyRecords: 700 });
    const t0 = await simTruth(sim);
    expect(await killedRun('l1.checkpoint:1')).toBe('SIGKILL');
    const partial = await versions(table);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(TASKS);

    const next = await run();
    expect(next.ok).toBe(true);
    expect(next.log).toContain('resuming from the last checkpoint');
    let rows = await versions(table);
    expect(rows.length).toBe(new Set(rows).size);
    expect(new Set(rows)).toEqual(new Set(t0));

    // The cursor is the whole run's maximum again: a day later only that day's changes come.
    sim.advanceClock(DAY);
    const t1 = await simTruth(sim);
    const later = await run();
    expect(later.ok).toBe(true);
    rows = await versions(table);
    expect(rows.length).toBe(new Set(rows).size);
    expect(new Set(rows)).toEqual(new Set([...t0, ...t1]));
    expect(later.results[0]!.records).toBeLessThan(TASKS / 5);
  }, 180_000);

  it('a sync that completes commits checkpoints plus a last commit; OVERWRITE and disabled checkpoints commit once', async () => {
    const table = await setup('MERGE', 'FULL');
    const done = await run();
    expect(done.ok).toBe(true);
    const summaries = await commits(table);
    expect(summaries.length).toBeGreaterThan(2);
    expect(summaries.slice(0, -1).every((s) => s[SUMMARY_CHECKPOINT] === 'FULL')).toBe(true);
    expect(summaries.at(-1)![SUMMARY_CHECKPOINT]).toBeUndefined();
    expect(done.log).toMatch(
      /committed 3000 records to wrike_staging\.tasks_merge \(\d+ checkpoint\(s\) and a last commit\)/,
    );
    const s = stores();
    const h = (await s.history.list({ configId: 'Tasks' }))[0]!;
    expect(h.totalRecordsProcessed).toBe(TASKS);
    expect(h.checkpoints).toBe(summaries.length - 1);
    s.db.close();

    await sim.close();
    project.cleanup();
    const overwrite = await setup('OVERWRITE', 'FULL');
    expect((await run()).ok).toBe(true);
    expect((await commits(overwrite)).length).toBe(1);

    await sim.close();
    project.cleanup();
    const disabled = await setup('MERGE', 'FULL', { enabled: false });
    expect((await run()).ok).toBe(true);
    expect((await commits(disabled)).length).toBe(1);
  }, 180_000);

  it('a failed run records what reached the table, not what was fetched; an empty run says so once', async () => {
    const table = await setup('MERGE', 'INCREMENTAL', { enabled: false });
    expect((await run()).ok).toBe(true);
    // A field the table lacks, with schema evolution off: fetched, then refused before the commit.
    const item = l1Item(sim, {
      configId: 'Tasks',
      object: 'tasks',
      path: '/tasks',
      table: 'tasks_merge',
      writeMode: 'MERGE',
      loadType: 'FULL',
      paginated: true,
      params: { fields: '["description"]' },
      schemaEvolution: false,
    });
    project.writeConfig(item);
    const failed = await run();
    expect(failed.results[0]!.status).toBe('FAILED');
    const s = stores();
    const h = (await s.history.list({ configId: 'Tasks' }))[0]!;
    expect(h.lastRunStatus).toBe('FAILED');
    expect(h.totalRecordsProcessed).toBe(0);
    expect(h.recordsFetched).toBe(TASKS);
    s.db.close();

    // A source with nothing to fetch: no commit, and the log says so once.
    await sim.close();
    project.cleanup();
    const emptyTable = await setup('MERGE', 'INCREMENTAL', { enabled: false }, 0);
    const empty = await run();
    expect(empty.ok).toBe(true);
    expect(empty.log).toContain(`no records: nothing to write to ${emptyTable}`);
    expect(empty.log).not.toMatch(/committed 0 records|nothing to commit/);
    expect(await commits(emptyTable)).toEqual([]);
    expect(table).not.toBe('');
  }, 180_000);
});
