/**
 * Runs at the same time. Two and four `floe run` processes on one project (the run lock makes
 * them one at a time: the others fail at once naming the holder, or wait with
 * --wait-for-lock), and two projects that share one catalog and warehouse but keep separate
 * state (as two hosts would): in every case the final tables equal a serial run's, each record
 * version exactly once, checked against the simulator's ground truth.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTable, SqlCatalog } from '../../src/iceberg/index.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import { type ChildExit, CLI, runTs } from '../support/child.js';
import { CRASH_TABLES, crashConfigs, simTruth, versionKey } from '../support/crash-project.js';
import { type TempProject, tempProject } from '../support/l1-project.js';

const DAY = 24 * 3600_000;

let sim: WrikeSimulator;
const projects: TempProject[] = [];
afterEach(async () => {
  await sim?.close();
  for (const p of projects.splice(0)) p.cleanup();
});

function floeRun(dir: string, extra: string[] = []): Promise<ChildExit> {
  return runTs(CLI, ['run', '--project', dir, '--platform', 'wrike', '--process-type', 'L1', ...extra]);
}

async function startSim(slowMs = 60): Promise<void> {
  // Slow pages, so that runs started together really overlap.
  sim = await startWrikeSimulator({
    tasks: 2000,
    rateLimit: false,
    seed: 21,
    faults: { slowRate: 1, slowMs },
  });
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!cond()) throw new Error('timed out waiting');
}

function project(catalogDir?: string): TempProject {
  const p = tempProject(sim, 'sim-permanent-token');
  projects.push(p);
  for (const c of crashConfigs(sim, 200)) p.writeConfig(c);
  if (catalogDir)
    writeFileSync(
      join(p.dir, 'floe.yaml'),
      `environment: test\nlogs: { format: json, level: warn }\nparallelism: 3\ncatalog: { path: ${join(catalogDir, 'catalog.db')} }\nwarehouse: ${join(catalogDir, 'warehouse')}\n`,
    );
  return p;
}

async function tables(catalogPath: string, warehouse: string): Promise<Record<string, string[]>> {
  const c = new SqlCatalog({ name: 'floe', path: catalogPath, warehouse });
  try {
    const out: Record<string, string[]> = {};
    for (const [k, name] of Object.entries(CRASH_TABLES)) {
      const rows = await (await loadTable(c, name))
        .scan({ select: ['id', 'updated_date', 'title'] })
        .toRows();
      out[k] = rows.map(versionKey);
    }
    return out;
  } finally {
    await c.close();
  }
}

function expectSerialResult(t: Record<string, string[]>, t0: string[], t1: string[]): void {
  for (const [k, rows] of Object.entries(t)) expect(rows.length, `${k}: duplicates`).toBe(new Set(rows).size);
  expect(new Set(t.merge)).toEqual(new Set(t1));
  expect(new Set(t.overwrite)).toEqual(new Set(t1));
  expect(new Set(t.append)).toEqual(new Set([...t0, ...t1]));
}

const LOCKED = /another floe run holds this project: run \S+, pid \d+ on \S+, started \S+/;

describe('concurrent runs', () => {
  it.each([2, 4])(
    '%i runs of one project at once: one at a time, tables equal a serial run',
    async (n) => {
      // Pages held for seconds: the first run holds the project for as long as the others need
      // to start, however loaded the machine; it is let go once they have been refused.
      await startSim(3000);
      const p = project();
      const t0 = await simTruth(sim);
      const holder = floeRun(p.dir);
      await until(() => existsSync(join(p.dir, '.floe', 'run.lock')));
      // Each of the others is refused at once, naming the holder, and changes nothing.
      const others = await Promise.all(Array.from({ length: n - 1 }, () => floeRun(p.dir)));
      for (const r of others) {
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(LOCKED);
      }
      sim.setFaults(undefined);
      const first = await holder;
      expect(first.code, first.stderr.slice(-2000)).toBe(0);
      sim.advanceClock(DAY);
      const t1 = await simTruth(sim);
      // With --wait-for-lock every run gets its turn.
      const second = await Promise.all(
        Array.from({ length: n }, () => floeRun(p.dir, ['--wait-for-lock', '120'])),
      );
      for (const r of second) expect(r.code, r.stderr.slice(-2000)).toBe(0);
      expectSerialResult(await tables(join(p.dir, '.floe', 'catalog.db'), join(p.dir, 'warehouse')), t0, t1);
    },
    300_000,
  );

  it('two projects sharing one catalog with separate state: tables equal a serial run', async () => {
    await startSim();
    const base = tempProject(sim, 'unused');
    projects.push(base);
    const catalogDir = join(base.dir, 'shared');
    mkdirSync(catalogDir, { recursive: true });
    const a = project(catalogDir);
    const b = project(catalogDir);
    const t0 = await simTruth(sim);
    const round1 = await Promise.all([floeRun(a.dir), floeRun(b.dir)]);
    for (const r of round1) expect(r.code, r.stderr.slice(-3000)).toBe(0);
    sim.advanceClock(DAY);
    const t1 = await simTruth(sim);
    const round2 = await Promise.all([floeRun(a.dir), floeRun(b.dir)]);
    for (const r of round2) expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expectSerialResult(await tables(join(catalogDir, 'catalog.db'), join(catalogDir, 'warehouse')), t0, t1);
  }, 300_000);
});
