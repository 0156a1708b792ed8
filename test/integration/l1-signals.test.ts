/**
 * Stopping a run the way ECS, Batch, Kubernetes and Ctrl-C do. `floe run` gets SIGTERM or SIGINT
 * while its configs fetch: it stops fetching, commits nothing partial, records every config in
 * flight as INTERRUPTED (history, state, log, report), removes its spools and exits non-zero
 * (143 / 130) well within the grace period. A second signal exits at once; the next run then
 * records what the first one could not. A stop that arrives during the write phase abandons the
 * commit too.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseJobParams } from '../../src/config/job-params.js';
import { FloeError } from '../../src/errors.js';
import { loadTable } from '../../src/iceberg/index.js';
import { runJob } from '../../src/job/run-job.js';
import { SqliteHistoryStore } from '../../src/runtime/local/sqlite-history.js';
import { SqliteStateStore } from '../../src/runtime/local/sqlite-state.js';
import { openStateDb } from '../../src/runtime/local/state-db.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import { CLI, type RunningChild, startTs } from '../support/child.js';
import { crashConfigs } from '../support/crash-project.js';
import { type TempProject, tempProject, withProjectCatalog } from '../support/l1-project.js';

const DAY = 24 * 3600_000;

let sim: WrikeSimulator;
let project: TempProject;
afterEach(async () => {
  await sim?.close();
  project?.cleanup();
});

async function setup(): Promise<void> {
  // Slow pages: a full fetch takes several seconds, so the signal lands mid-fetch.
  sim = await startWrikeSimulator({
    tasks: 2000,
    rateLimit: false,
    seed: 3,
    faults: { slowRate: 1, slowMs: 150 },
  });
  project = tempProject(sim, 'sim-permanent-token');
  for (const c of crashConfigs(sim, 100)) project.writeConfig(c);
}

function osTmp(): string {
  const d = join(project.dir, 'os-tmp');
  mkdirSync(d, { recursive: true });
  return d;
}

function startRun(): RunningChild {
  return startTs(CLI, ['run', '--project', project.dir, '--platform', 'wrike', '--process-type', 'L1'], {
    TMPDIR: osTmp(),
  });
}

/** Waits until the run has spooled some pages (its scratch folder holds a spool). */
async function untilFetching(): Promise<void> {
  const tmp = join(project.dir, '.floe', 'tmp');
  for (let i = 0; i < 200; i++) {
    if (
      existsSync(tmp) &&
      readdirSync(tmp).some((run) => readdirSync(join(tmp, run)).some((f) => f.startsWith('floe-spool-')))
    )
      return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the run never started fetching');
}

function stores() {
  const db = openStateDb(join(project.dir, '.floe', 'state.db'), { readonly: true });
  return { db, state: new SqliteStateStore(db), history: new SqliteHistoryStore(db) };
}

async function snapshots(): Promise<Record<string, string | undefined>> {
  return withProjectCatalog(project.dir, async (c) => {
    const out: Record<string, string | undefined> = {};
    for (const t of ['tasks_append', 'tasks_overwrite', 'tasks_merge']) {
      const id = { namespace: ['wrike_staging'], name: t };
      out[t] = (await c.tableExists(id))
        ? String((await loadTable(c, id)).currentSnapshot()?.['snapshot-id'])
        : undefined;
    }
    return out;
  });
}

describe('SIGTERM and SIGINT stop a run in order', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    '%s mid-fetch: INTERRUPTED everywhere, nothing committed, nothing left, exit %i',
    async (signal, exitCode) => {
      await setup();
      // A first, complete sync, so there is committed data a partial one could damage.
      const first = startRun();
      expect((await first.done).code).toBe(0);
      const before = await snapshots();
      sim.advanceClock(DAY);

      const { proc, done } = startRun();
      await untilFetching();
      const sentAt = Date.now();
      proc.kill(signal);
      const r = await done;
      expect(r.code).toBe(exitCode);
      expect(Date.now() - sentAt).toBeLessThan(15_000);
      expect(r.stderr).toContain(`${signal} received: stopping`);

      // Tables: exactly the first sync's snapshots.
      expect(await snapshots()).toEqual(before);
      // History, state, log, report: every config of the run is INTERRUPTED.
      const s = stores();
      const runId = (await s.state.get('L1', 'Tasks_Overwrite'))!.lastRunId!;
      for (const id of ['Tasks_Append', 'Tasks_Overwrite', 'Tasks_Merge']) {
        const h = await s.history.find(runId, 'L1', id);
        expect(h?.lastRunStatus, id).toBe('INTERRUPTED');
        expect(h?.error).toMatch(new RegExp(`stopped by ${signal}|not started`));
        const st = await s.state.get('L1', id);
        expect(st?.status === 'INTERRUPTED' || h?.error.startsWith('not started')).toBe(true);
      }
      s.db.close();
      const log = readFileSync(join(project.dir, '.floe', 'logs', `${runId}.log`), 'utf8');
      expect(log).toMatch(/interrupted: the run was stopped by/);
      const report = readFileSync(join(project.dir, '.floe', 'reports', `${runId}.html`), 'utf8');
      expect(report).toContain('INTERRUPTED');
      // No spool, stage or scratch folder left behind.
      expect(readdirSync(join(project.dir, '.floe', 'tmp'))).toEqual([]);
      expect(readdirSync(osTmp()).filter((n) => n.startsWith('floe-'))).toEqual([]);
      expect(existsSync(join(project.dir, '.floe', 'run.lock'))).toBe(false);

      // The next run picks up where the first sync ended.
      expect((await startRun().done).code).toBe(0);
    },
    180_000,
  );

  it('a second signal exits at once; the next run records the run it cut short', async () => {
    await setup();
    const { proc, done } = startRun();
    await untilFetching();
    proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 20));
    const sentAt = Date.now();
    proc.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(143);
    expect(Date.now() - sentAt).toBeLessThan(3000);
    const next = startRun();
    expect((await next.done).code).toBe(0);
    const s = stores();
    const rows = await s.history.list({ processType: 'L1', limit: 50 });
    s.db.close();
    expect(rows.some((h) => h.lastRunStatus === 'INTERRUPTED')).toBe(true);
    expect(rows.filter((h) => h.lastRunStatus === 'SUCCESS').length).toBe(3);
  }, 180_000);

  it('a stop during the write phase abandons the commit', async () => {
    await setup();
    const ctrl = new AbortController();
    const out = await runJob(
      parseJobParams(['--project', project.dir, '--platform', 'wrike', '--config-id', 'Tasks_Merge'], {}),
      {
        logStream: { write: () => true },
        signal: ctrl.signal,
        onProgress: (p) => {
          if (p.phase === 'writing')
            ctrl.abort(new FloeError('interrupted', 'stopped', { context: { signal: 'SIGTERM' } }));
        },
      },
    );
    expect(out.interrupted).toBe(true);
    expect(out.results[0]!.status).toBe('INTERRUPTED');
    const snaps = await snapshots();
    expect(snaps.tasks_merge === undefined || snaps.tasks_merge === 'undefined').toBe(true);
    // Its data files were removed with the abandoned commit.
    const dataDir = join(project.dir, 'warehouse', 'wrike_staging', 'tasks_merge', 'data');
    expect(existsSync(dataDir) ? readdirSync(dataDir) : []).toEqual([]);
  }, 120_000);
});
