/**
 * The crash matrix: a job is SIGKILLed at 25 points spread over a sync (while fetching, while
 * writing data files and manifests, before and after the catalog swap, between the commit and
 * the state update, inside the state transaction, between state and history), in a first sync
 * (tables being created) and in a second one, for APPEND, OVERWRITE and MERGE configs at once.
 *
 * After each kill: every table that exists is readable (by floe and by PyIceberg) at its last
 * commit, and holds either the sync before or the sync after, never a part of one. After the
 * rerun: every table equals what a clean run gives (each record version exactly once, checked
 * against the simulator's ground truth), no config is left RUNNING, the killed run is in
 * history (INTERRUPTED, or SUCCESS recovered from the table), and no orphan file, spool or spill
 * folder is left.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTable, type SqlCatalog } from '../../src/iceberg/index.js';
import { referencedFiles } from '../../src/iceberg/maintenance/referenced.js';
import { openStateDb } from '../../src/runtime/local/state-db.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import { type ChildExit, JOB_CHILD, runTs } from '../support/child.js';
import { CRASH_TABLES, crashConfigs, simTruth, versionKey } from '../support/crash-project.js';
import { INTEROP_TIMEOUT_MS, interopAvailable, runVerify } from '../support/interop.js';
import { type TempProject, tempProject, withProjectCatalog } from '../support/l1-project.js';

const DAY = 24 * 3600_000;

interface Scenario {
  /** Which sync is killed: the first (tables created) or the second (incremental, rewrites). */
  readonly sync: 'first' | 'second';
  /** `FLOE_FAILPOINT`: name and which pass kills. */
  readonly at: string;
}

// Counts per run (FLOE_FAILPOINT_TRACE) with 3,000 tasks in pages of 250 and three configs:
// first sync 36 pages, 6 swaps (schema + data); second sync 15 pages, 3 swaps, 5 manifests.
const SCENARIOS: Scenario[] = [
  { sync: 'first', at: 'l1.page:10' },
  { sync: 'first', at: 'l1.table-ready:2' },
  { sync: 'first', at: 'iceberg.before-swap:2' },
  { sync: 'first', at: 'iceberg.after-swap:4' },
  { sync: 'first', at: 'l1.after-commit:2' },
  { sync: 'second', at: 'l1.page:1' },
  { sync: 'second', at: 'l1.page:8' },
  { sync: 'second', at: 'l1.page:14' },
  { sync: 'second', at: 'l1.fetched:2' },
  { sync: 'second', at: 'l1.table-ready:1' },
  { sync: 'second', at: 'iceberg.data-file:1' },
  { sync: 'second', at: 'iceberg.data-file:3' },
  { sync: 'second', at: 'iceberg.merge-deletes:1' },
  { sync: 'second', at: 'iceberg.manifest:2' },
  { sync: 'second', at: 'iceberg.manifest:5' },
  { sync: 'second', at: 'iceberg.before-swap:1' },
  { sync: 'second', at: 'iceberg.before-swap:3' },
  { sync: 'second', at: 'iceberg.after-swap:1' },
  { sync: 'second', at: 'iceberg.after-swap:3' },
  { sync: 'second', at: 'l1.after-commit:1' },
  { sync: 'second', at: 'l1.after-commit:3' },
  { sync: 'second', at: 'state.in-transaction:3' },
  { sync: 'second', at: 'state.in-transaction:5' },
  { sync: 'second', at: 'l1.after-state:2' },
  { sync: 'second', at: 'l1.after-history:1' },
];

function runChild(project: TempProject, env: Record<string, string> = {}): Promise<ChildExit> {
  return runTs(JOB_CHILD, [project.dir], { TMPDIR: osTmp(project), ...env });
}

/** The children's OS temp folder, inside the project so leftovers can be checked. */
function osTmp(project: TempProject): string {
  const dir = join(project.dir, 'os-tmp');
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function clean(project: TempProject): Promise<void> {
  const r = await runChild(project);
  expect(r.code, `a clean run failed:\n${r.stdout}\n${r.stderr.slice(-2000)}`).toBe(0);
}

async function tableVersions(c: SqlCatalog, name: string): Promise<string[] | undefined> {
  const [ns, t] = name.split('.');
  if (!(await c.tableExists({ namespace: [ns!], name: t! }))) return undefined;
  const rows = await (await loadTable(c, name)).scan({ select: ['id', 'updated_date', 'title'] }).toRows();
  return rows.map(versionKey);
}

function sorted(xs: Iterable<string>): string[] {
  return [...xs].sort();
}

let sim: WrikeSimulator | undefined;
let project: TempProject | undefined;
afterEach(async () => {
  await sim?.close();
  project?.cleanup();
  sim = undefined;
  project = undefined;
});

describe('crash matrix: SIGKILL at 25 points, then a rerun', () => {
  it.each(SCENARIOS)(
    'killed in the $sync sync at $at',
    async ({ sync, at }) => {
      interopAvailable();
      sim = await startWrikeSimulator({ tasks: 3000, rateLimit: false, seed: 5 });
      project = tempProject(sim, 'sim-permanent-token');
      for (const c of crashConfigs(sim)) project.writeConfig(c);
      const t0 = await simTruth(sim);

      if (sync === 'second') {
        await clean(project);
        sim.advanceClock(DAY);
      }
      const before = await withProjectCatalog(project.dir, async (c) => ({
        append: await tableVersions(c, CRASH_TABLES.append),
        overwrite: await tableVersions(c, CRASH_TABLES.overwrite),
        merge: await tableVersions(c, CRASH_TABLES.merge),
      }));
      const truthNow = await simTruth(sim);

      // The kill.
      const killed = await runChild(project, { FLOE_FAILPOINT: at });
      expect(killed.signal, `the job was not killed at ${at} (exit ${killed.code}): ${killed.stdout}`).toBe(
        'SIGKILL',
      );

      // Readable at the last commit, and whole: each table is the sync before or the sync after.
      const after = await withProjectCatalog(project.dir, async (c) => ({
        append: await tableVersions(c, CRASH_TABLES.append),
        overwrite: await tableVersions(c, CRASH_TABLES.overwrite),
        merge: await tableVersions(c, CRASH_TABLES.merge),
      }));
      const whole = (rows: string[] | undefined, options: (string[] | undefined)[]) =>
        options.some((o) =>
          o === undefined
            ? rows === undefined || rows.length === 0
            : rows !== undefined && JSON.stringify(sorted(rows)) === JSON.stringify(sorted(o)),
        );
      const appended = sorted(new Set([...(before.append ?? []), ...truthNow]));
      expect(whole(after.overwrite, [before.overwrite, truthNow])).toBe(true);
      expect(whole(after.merge, [before.merge, truthNow])).toBe(true);
      expect(whole(after.append, [before.append, appended])).toBe(true);
      const existing = Object.entries(after)
        .filter(([, rows]) => rows !== undefined)
        .map(([k, rows]) => ({
          identifier: CRASH_TABLES[k as keyof typeof CRASH_TABLES],
          count: rows!.length,
        }));
      if (existing.length) {
        const v = await runVerify(
          {
            catalog: {
              name: 'floe',
              db: join(project.dir, '.floe', 'catalog.db'),
              warehouse: join(project.dir, 'warehouse'),
            },
            engines: ['pyiceberg'],
            tables: existing.map((t) => ({ identifier: t.identifier, aggregates: { count: t.count } })),
          },
          INTEROP_TIMEOUT_MS,
        );
        expect(v.errors).toEqual([]);
        for (const t of existing) expect(v.tables[t.identifier]?.pyiceberg?.ok, t.identifier).toBe(true);
      }
      const killedRuns = readStates(project)
        .filter((s) => s.status === 'RUNNING')
        .map((s) => s.runId);

      // The rerun finishes the interrupted sync; a first-sync kill then also gets its second sync.
      await clean(project);
      if (sync === 'first') {
        sim.advanceClock(DAY);
        await clean(project);
      }
      const final = await simTruth(sim);
      const expected = {
        overwrite: sorted(final),
        merge: sorted(final),
        append: sorted(new Set([...t0, ...final])),
      };
      await withProjectCatalog(project.dir, async (c) => {
        for (const key of ['append', 'overwrite', 'merge'] as const) {
          const rows = (await tableVersions(c, CRASH_TABLES[key]))!;
          expect(rows.length, `${key}: duplicates`).toBe(new Set(rows).size);
          expect(sorted(rows), key).toEqual(expected[key]);
        }
        // No orphan: every file under each table's location is referenced by its metadata.
        for (const name of Object.values(CRASH_TABLES)) {
          const t = await loadTable(c, name);
          const refs = await referencedFiles(c.io, t.metadata, t.metadataLocation);
          const files = await c.io.list(t.metadata.location);
          expect(
            files.filter((f) => !refs.has(f)),
            `orphans in ${name}`,
          ).toEqual([]);
        }
      });

      const states = readStates(project);
      expect(states.filter((s) => s.status !== 'COMPLETED')).toEqual([]);
      const history = readHistory(project);
      for (const run of killedRuns) {
        const rows = history.filter((h) => h.runId === run);
        expect(rows.length, `history of killed run ${run}`).toBeGreaterThan(0);
        for (const h of rows) expect(['INTERRUPTED', 'SUCCESS']).toContain(h.status);
      }
      // No spool, stage or spill folder left anywhere.
      const floeTmp = join(project.dir, '.floe', 'tmp');
      expect(existsSync(floeTmp) ? readdirSync(floeTmp) : []).toEqual([]);
      expect(readdirSync(osTmp(project)).filter((n) => n.startsWith('floe-'))).toEqual([]);
    },
    180_000,
  );
});

function readStates(project: TempProject): { configId: string; status: string; runId: string }[] {
  const db = openStateDb(join(project.dir, '.floe', 'state.db'), { readonly: true });
  try {
    return (
      db.prepare('SELECT config_id, status, last_run_id FROM floe_state').all() as {
        config_id: string;
        status: string;
        last_run_id: string;
      }[]
    ).map((r) => ({ configId: r.config_id, status: r.status, runId: r.last_run_id }));
  } finally {
    db.close();
  }
}

function readHistory(project: TempProject): { runId: string; configId: string; status: string }[] {
  const db = openStateDb(join(project.dir, '.floe', 'state.db'), { readonly: true });
  try {
    return (
      db.prepare('SELECT run_id, config_id, last_run_status FROM floe_history').all() as {
        run_id: string;
        config_id: string;
        last_run_status: string;
      }[]
    ).map((r) => ({ runId: r.run_id, configId: r.config_id, status: r.last_run_status }));
  } finally {
    db.close();
  }
}
