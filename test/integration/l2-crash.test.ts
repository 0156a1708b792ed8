/**
 * SIGKILL during L2, then a rerun: the Wrike pack's three L2 configs (MERGE, read by snapshot)
 * are killed at failpoints spread over a run (sources read, output validated, table ready, data
 * files and manifests written, before and after the catalog swap, between the commit and the
 * state update, inside it, before the history row), in the first run (tables being created) and
 * in an incremental one.
 *
 * After each kill every L2 table that exists is readable and holds the run before or the run
 * after, never part of one. After the rerun every table equals what an uninterrupted run gives
 * (the joins computed from the simulator's ground truth), no config is left RUNNING, the killed
 * run is in history (INTERRUPTED, or SUCCESS recovered from the table) and no file is orphaned.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scaffoldProject } from '../../src/connectors/scaffold.js';
import { loadTable, SqlCatalog } from '../../src/iceberg/index.js';
import { referencedFiles } from '../../src/iceberg/maintenance/referenced.js';
import { openStateDb } from '../../src/runtime/local/state-db.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import { type ChildExit, runTs } from '../support/child.js';
import {
  byKey,
  expectedProjects,
  expectedTasks,
  expectedTimelogDaily,
  type Row,
  type WrikeTruth,
  wrikeTruth,
} from '../support/wrike-l2-expected.js';

const CHILD = new URL('../support/run-l2-child.ts', import.meta.url).pathname;
const DAY = 24 * 3600_000;

const TABLES = {
  'wrike_refined.projects': { keys: ['project_id'], expected: expectedProjects },
  'wrike_refined.tasks': { keys: ['task_id'], expected: expectedTasks },
  'wrike_refined.timelog_daily': {
    keys: ['user_id', 'project_id', 'work_date'],
    expected: expectedTimelogDaily,
  },
} as const;
type TableName = keyof typeof TABLES;
const NAMES = Object.keys(TABLES) as TableName[];

interface Scenario {
  /** Which L2 run is killed: the first (tables created) or an incremental one. */
  readonly run: 'first' | 'second';
  readonly at: string;
}

// Three configs run in parallel, so a failpoint's n-th pass may be any of them: each kill
// leaves some configs committed and others not, which is what the checks are about.
const SCENARIOS: Scenario[] = [
  { run: 'first', at: 'l2.table-ready:2' },
  { run: 'first', at: 'iceberg.after-swap:2' },
  { run: 'first', at: 'l2.after-commit:1' },
  { run: 'second', at: 'l2.sources-read:2' },
  { run: 'second', at: 'l2.validated:1' },
  { run: 'second', at: 'iceberg.data-file:2' },
  { run: 'second', at: 'iceberg.merge-deletes:1' },
  { run: 'second', at: 'iceberg.manifest:3' },
  { run: 'second', at: 'iceberg.before-swap:2' },
  { run: 'second', at: 'iceberg.after-swap:1' },
  { run: 'second', at: 'l2.after-commit:2' },
  { run: 'second', at: 'state.in-transaction:4' },
  { run: 'second', at: 'l2.after-state:3' },
  { run: 'second', at: 'l2.after-history:1' },
];

let sim: WrikeSimulator | undefined;
let dir: string | undefined;
afterEach(async () => {
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  sim = undefined;
  dir = undefined;
});

function child(processType: string, env: Record<string, string> = {}): Promise<ChildExit> {
  return runTs(CHILD, [dir!, processType, sim!.now().toISOString()], { TMPDIR: osTmp(), ...env });
}

function osTmp(): string {
  const d = join(dir!, 'os-tmp');
  mkdirSync(d, { recursive: true });
  return d;
}

async function clean(processType: string): Promise<void> {
  const r = await child(processType);
  expect(r.code, `a clean ${processType} run failed:\n${r.stdout}\n${r.stderr.slice(-2000)}`).toBe(0);
}

async function withCatalog<T>(fn: (c: SqlCatalog) => Promise<T>): Promise<T> {
  const c = new SqlCatalog({
    name: 'floe',
    path: join(dir!, '.floe', 'catalog.db'),
    warehouse: join(dir!, 'warehouse'),
  });
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

async function tables(): Promise<Record<TableName, Map<string, Row> | undefined>> {
  return withCatalog(async (c) => {
    const out = {} as Record<TableName, Map<string, Row> | undefined>;
    for (const name of NAMES) {
      const [ns, t] = name.split('.');
      if (!(await c.tableExists({ namespace: [ns!], name: t! }))) {
        out[name] = undefined;
        continue;
      }
      const rows = await (await loadTable(c, name)).scan().toRows();
      const keyed = byKey(rows, TABLES[name].keys);
      expect(keyed.size, `${name}: duplicate keys`).toBe(rows.length);
      out[name] = keyed;
    }
    return out;
  });
}

function expectedAt(truth: WrikeTruth | undefined): Record<TableName, Map<string, Row> | undefined> {
  return Object.fromEntries(
    NAMES.map((n) => [n, truth ? byKey(TABLES[n].expected(truth), TABLES[n].keys) : undefined]),
  ) as Record<TableName, Map<string, Row> | undefined>;
}

describe('L2 crash matrix: SIGKILL, then a rerun', () => {
  it.each(SCENARIOS)(
    'killed in the $run L2 run at $at',
    async ({ run, at }) => {
      sim = await startWrikeSimulator({ tasks: 800, seed: 7, rateLimit: false });
      dir = mkdtempSync(join(tmpdir(), 'floe-l2-crash-'));
      await scaffoldProject({ dir, baseUrl: sim.origin, force: true });

      let before: WrikeTruth | undefined;
      if (run === 'second') {
        await clean('both');
        before = await wrikeTruth(sim);
        sim.advanceClock(DAY);
      }
      await clean('L1');
      const now = await wrikeTruth(sim);

      const killed = await child('L2', { FLOE_FAILPOINT: at });
      expect(killed.signal, `the job was not killed at ${at} (exit ${killed.code}): ${killed.stdout}`).toBe(
        'SIGKILL',
      );

      // Readable, and whole: each table holds the run before or the run after.
      const after = await tables();
      const [was, will] = [expectedAt(before), expectedAt(now)];
      for (const name of NAMES) {
        const got = after[name];
        const options = [was[name], will[name]];
        const whole = options.some((o) =>
          o === undefined ? got === undefined || got.size === 0 : got !== undefined && equalMaps(got, o),
        );
        expect(whole, `${name} after the kill is neither the run before nor the run after`).toBe(true);
      }
      const killedRuns = states()
        .filter((s) => s.status === 'RUNNING')
        .map((s) => s.runId);

      await clean('L2');
      const final = await tables();
      for (const name of NAMES) expect(final[name], name).toEqual(will[name]);
      await withCatalog(async (c) => {
        for (const name of NAMES) {
          const t = await loadTable(c, name);
          const refs = await referencedFiles(c.io, t.metadata, t.metadataLocation);
          const files = await c.io.list(t.metadata.location);
          expect(
            files.filter((f) => !refs.has(f)),
            `orphans in ${name}`,
          ).toEqual([]);
        }
      });
      expect(states().filter((s) => s.status !== 'COMPLETED')).toEqual([]);
      const history = l2History();
      for (const runId of killedRuns) {
        const rows = history.filter((h) => h.runId === runId);
        expect(rows.length, `history of killed run ${runId}`).toBeGreaterThan(0);
        for (const h of rows) expect(['INTERRUPTED', 'SUCCESS']).toContain(h.status);
      }
      const floeTmp = join(dir, '.floe', 'tmp');
      expect(existsSync(floeTmp) ? readdirSync(floeTmp) : []).toEqual([]);
    },
    240_000,
  );
});

function equalMaps(a: Map<string, Row>, b: Map<string, Row>): boolean {
  if (a.size !== b.size) return false;
  const text = (r: Row | undefined) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
  for (const [k, v] of a) if (text(v) !== text(b.get(k))) return false;
  return true;
}

function states(): { configId: string; status: string; runId: string }[] {
  const db = openStateDb(join(dir!, '.floe', 'state.db'), { readonly: true });
  try {
    return (
      db.prepare("SELECT config_id, status, last_run_id FROM floe_state WHERE kind = 'L2'").all() as {
        config_id: string;
        status: string;
        last_run_id: string;
      }[]
    ).map((r) => ({ configId: r.config_id, status: r.status, runId: r.last_run_id }));
  } finally {
    db.close();
  }
}

function l2History(): { runId: string; configId: string; status: string }[] {
  const db = openStateDb(join(dir!, '.floe', 'state.db'), { readonly: true });
  try {
    return (
      db
        .prepare("SELECT run_id, config_id, last_run_status FROM floe_history WHERE process_type = 'L2'")
        .all() as { run_id: string; config_id: string; last_run_status: string }[]
    ).map((r) => ({ runId: r.run_id, configId: r.config_id, status: r.last_run_status }));
  } finally {
    db.close();
  }
}
