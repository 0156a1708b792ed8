/**
 * "Lost tables", end to end on a real project: the Wrike simulator → `runJob` → a damaged project
 * (0-byte or missing catalog, missing state database, deleted table metadata) → floe refuses to
 * run or list, with the file and the fix → the fix (`floe catalog recover`, `floe state reset`,
 * `floe table register … --force`) through the real CLI → PyIceberg reads the repaired tables,
 * and the next run picks up where the data says it should.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobParams } from '../../src/config/job-params.js';
import { loadTable, type Table } from '../../src/iceberg/index.js';
import { toCanonical } from '../../src/iceberg/spec/values.js';
import { runJob } from '../../src/job/run-job.js';
import { latestFloeCommit } from '../../src/l1/table-cursor.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import { instant } from '../support/crash-project.js';
import {
  type CanonicalRow,
  describeFailures,
  INTEROP_TIMEOUT_MS,
  interopAvailable,
  runVerify,
  writeExpectedJsonl,
} from '../support/interop.js';
import {
  l1Item,
  type TempProject,
  tasksItem,
  tempProject,
  withProjectCatalog,
} from '../support/l1-project.js';

const bin = new URL('../../bin/floe.js', import.meta.url).pathname;
const silent = { write: () => true };
const TASKS = 'wrike_staging.staging_tasks';
const CONTACTS = 'wrike_staging.staging_contacts';
let sim: WrikeSimulator;

async function floe(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { timeout: 120_000 }, (err, stdout, stderr) =>
      done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function run(dir: string, args: string[] = []) {
  return runJob(
    parseJobParams(['--project', dir, '--platform', 'wrike', '--process-type', 'L1', ...args], {}),
    {
      logStream: silent,
      now: () => sim.now(),
    },
  );
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

function canonical(t: Table, rows: Record<string, unknown>[]): CanonicalRow[] {
  return rows.map((r) => toCanonical({ type: 'struct', fields: t.schema().fields }, r) as CanonicalRow);
}

/** Every file under a folder (relative path → size and mtime), to prove nothing was written. */
function listing(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const s = statSync(p);
        out.set(p.slice(dir.length), `${s.size}@${s.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out;
}

/** A project with the tasks (INCREMENTAL MERGE) and contacts (FULL OVERWRITE) configs, run once. */
async function syncedProject(): Promise<TempProject> {
  const p = tempProject(sim, sim.permanentToken!);
  p.writeConfig(tasksItem(sim));
  p.writeConfig(
    l1Item(sim, {
      configId: 'Wrike_Contacts',
      object: 'contacts',
      path: '/contacts',
      table: 'staging_contacts',
      writeMode: 'OVERWRITE',
    }),
  );
  const out = await run(p.dir);
  expect(out.results.map((r) => r.status)).toEqual(['SUCCESS', 'SUCCESS']);
  return p;
}

async function tableRows(dir: string, name: string) {
  return withProjectCatalog(dir, async (c) => {
    const t = await loadTable(c, name);
    return { table: t, rows: await t.scan().toRows(), metadataLocation: t.metadataLocation };
  });
}

function verifyCatalog(dir: string) {
  return { name: 'floe', db: join(dir, '.floe', 'catalog.db'), warehouse: join(dir, 'warehouse') };
}

beforeAll(async () => {
  interopAvailable();
  sim = await startWrikeSimulator({ tasks: 900, rateLimit: false, seed: 11 });
});
afterAll(async () => {
  await sim?.close();
});

describe('a lost catalog database', () => {
  let p: TempProject;
  afterAll(() => p?.cleanup());

  it(
    'a 0-byte catalog stops `floe run` and `floe table list`; `floe catalog recover` brings every table back; the next run fetches only the new tail',
    async () => {
      p = await syncedProject();
      const catalogDb = join(p.dir, '.floe', 'catalog.db');
      const before = await tableRows(p.dir, TASKS);
      const truth = await collect(sim.records('tasks'));
      expect(before.rows.length).toBe(truth.length);
      const expected = join(p.dir, 'expected-tasks.jsonl');
      writeExpectedJsonl(expected, canonical(before.table, before.rows));
      const warehouseBefore = listing(join(p.dir, 'warehouse'));

      truncateSync(catalogDb, 0);
      await expect(run(p.dir)).rejects.toThrow(
        /catalog database .*catalog\.db is empty \(0 bytes\), but this project has tables: 2 table folders .*staging_tasks.*`floe catalog recover/s,
      );
      // Nothing was created: the catalog is still empty and the warehouse has no new file.
      expect(statSync(catalogDb).size).toBe(0);
      expect(listing(join(p.dir, 'warehouse'))).toEqual(warehouseBefore);

      const list = await floe('table', 'list', '--project', p.dir);
      expect(list.code).toBe(1);
      expect(list.stdout).toBe('');
      expect(list.stderr).toMatch(/catalog\.db is empty \(0 bytes\).*floe catalog recover/s);

      const dry = await floe('catalog', 'recover', '--dry-run', '--project', p.dir);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain(`${TASKS}: would register ${before.metadataLocation}`);
      expect(dry.stdout).toMatch(/2 registered, 0 re-pointed.*dry run: nothing changed/);
      expect(statSync(catalogDb).size).toBe(0);

      const rec = await floe('catalog', 'recover', '--project', p.dir);
      expect(rec.code, rec.stderr).toBe(0);
      expect(rec.stdout).toContain(`${TASKS}: registered ${before.metadataLocation} (`);
      expect(rec.stdout).toContain(`${CONTACTS}: registered`);

      const listed = await floe('table', 'list', '--project', p.dir);
      expect(listed.code, listed.stderr).toBe(0);
      const tables = listed.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { table: string; records: string });
      expect(tables.map((t) => t.table)).toEqual([CONTACTS, TASKS]);
      expect(tables[1]!.records).toBe(String(truth.length));

      const verified = await runVerify({
        catalog: verifyCatalog(p.dir),
        engines: ['pyiceberg'],
        tables: [{ identifier: TASKS, expected_rows: expected, aggregates: { count: truth.length } }],
      });
      expect(verified.ok, describeFailures(verified)).toBe(true);

      // The state kept its cursors and the tables are back: the next run is incremental.
      sim.advanceClock(24 * 3600_000);
      const next = await run(p.dir, ['--config-id', 'Wrike_Tasks']);
      expect(next.results[0]!.status).toBe('SUCCESS');
      const now = await collect(sim.records('tasks'));
      expect(next.results[0]!.records).toBeGreaterThan(0);
      expect(next.results[0]!.records).toBeLessThan(now.length / 2);
      const after = await tableRows(p.dir, TASKS);
      expect(after.rows.length).toBe(now.length);
      expect(new Set(after.rows.map((r) => r.id)).size).toBe(now.length);
      const byId = new Map(after.rows.map((r) => [r.id, r]));
      for (const t of now)
        expect(instant(byId.get(t.id)?.updated_date), String(t.id)).toBe(instant(t.updatedDate));
      const expectedAfter = join(p.dir, 'expected-tasks-after.jsonl');
      writeExpectedJsonl(expectedAfter, canonical(after.table, after.rows));
      const again = await runVerify({
        catalog: verifyCatalog(p.dir),
        engines: ['pyiceberg'],
        tables: [{ identifier: TASKS, expected_rows: expectedAfter, aggregates: { count: now.length } }],
      });
      expect(again.ok, describeFailures(again)).toBe(true);
    },
    INTEROP_TIMEOUT_MS,
  );

  it('a deleted catalog is refused the same way, and a project with nothing at all still just runs', async () => {
    const q = await syncedProject();
    try {
      rmSync(join(q.dir, '.floe', 'catalog.db'));
      await expect(run(q.dir)).rejects.toThrow(/catalog\.db does not exist, but this project has tables/);
      expect(existsSync(join(q.dir, '.floe', 'catalog.db'))).toBe(false);
      expect((await floe('table', 'show', TASKS, '--project', q.dir)).stderr).toMatch(
        /catalog\.db does not exist.*floe catalog recover/s,
      );
    } finally {
      q.cleanup();
    }
    const fresh = tempProject(sim, sim.permanentToken!);
    try {
      fresh.writeConfig(tasksItem(sim));
      expect((await floe('table', 'list', '--project', fresh.dir)).code).toBe(0);
      expect(existsSync(join(fresh.dir, '.floe', 'catalog.db'))).toBe(false);
      const out = await run(fresh.dir);
      expect(out.results[0]!.status).toBe('SUCCESS');
    } finally {
      fresh.cleanup();
    }
  });
});

describe('a lost state database', () => {
  it('stops the run; `floe state reset` says what the next run fetches and acts only with --yes', async () => {
    const p = await syncedProject();
    try {
      const stateDb = join(p.dir, '.floe', 'state.db');
      const commit = await withProjectCatalog(p.dir, async (c) =>
        latestFloeCommit(await loadTable(c, TASKS), 'Wrike_Tasks'),
      );
      expect(commit?.cursor).toBeTruthy();

      rmSync(stateDb);
      await expect(run(p.dir)).rejects.toThrow(
        /state database .*state\.db does not exist, but floe has written to 2 tables.*cursors.*`floe state reset/s,
      );
      expect(existsSync(stateDb)).toBe(false);

      const asked = await floe('state', 'reset', '--project', p.dir);
      expect(asked.code).toBe(1);
      expect(asked.stdout).toContain(
        `Wrike_Tasks: resumes from ${commit!.cursor} (from table ${TASKS} snapshot ${commit!.snapshotId})`,
      );
      expect(asked.stdout).toMatch(/Wrike_Contacts: full re-fetch .*loadType FULL/);
      expect(asked.stderr).toMatch(/nothing changed: pass --yes/);
      expect(existsSync(stateDb)).toBe(false);

      const done = await floe('state', 'reset', '--yes', '--project', p.dir);
      expect(done.code, done.stderr).toBe(0);
      expect(done.stdout).toContain('created a fresh state database');
      const out = await run(p.dir);
      expect(out.results.map((r) => r.status)).toEqual(['SUCCESS', 'SUCCESS']);

      // A 0-byte state file is the same loss.
      truncateSync(stateDb, 0);
      await expect(run(p.dir)).rejects.toThrow(/state\.db is empty \(0 bytes\), but floe has written/);
      expect(statSync(stateDb).size).toBe(0);
    } finally {
      p.cleanup();
    }
  });
});

describe('a damaged database file', () => {
  it('names the file and the fix in every command; recover and reset move it aside and rebuild', async () => {
    const p = await syncedProject();
    try {
      const catalogDb = join(p.dir, '.floe', 'catalog.db');
      const stateDb = join(p.dir, '.floe', 'state.db');
      const good = await tableRows(p.dir, TASKS);
      writeFileSync(catalogDb, randomBytes(statSync(catalogDb).size));
      const damaged =
        /the catalog database .*catalog\.db is damaged \(file is not a database\).*`floe catalog recover`/s;
      await expect(run(p.dir)).rejects.toThrow(damaged);
      for (const args of [
        ['table', 'list'],
        ['table', 'read', TASKS],
      ]) {
        const r = await floe(...args, '--project', p.dir);
        expect(r.code, args.join(' ')).toBe(1);
        expect(r.stderr).toMatch(damaged);
      }
      const rec = await floe('catalog', 'recover', '--project', p.dir);
      expect(rec.code, rec.stderr).toBe(0);
      expect(rec.stdout).toMatch(
        /moved the damaged catalog .*catalog\.db aside to .*catalog\.db\.damaged-\d{8}T\d{6}/,
      );
      expect(readdirSync(join(p.dir, '.floe')).some((f) => f.startsWith('catalog.db.damaged-'))).toBe(true);
      expect((await tableRows(p.dir, TASKS)).rows.length).toBe(good.rows.length);

      // A zeroed page in the middle of the state database: open fails up front, not mid-run.
      const size = statSync(stateDb).size;
      const fd = openSync(stateDb, 'r+');
      writeSync(fd, Buffer.alloc(4096), 0, 4096, Math.floor(size / 4096 / 2) * 4096);
      closeSync(fd);
      const stateDamaged =
        /the state database .*state\.db is damaged .*sync cursors, config statuses and run history.*`floe state reset`/s;
      await expect(run(p.dir)).rejects.toThrow(stateDamaged);
      const hist = await floe('history', '--project', p.dir);
      expect(hist.code).toBe(1);
      expect(hist.stderr).toMatch(stateDamaged);
      const reset = await floe('state', 'reset', '--yes', '--project', p.dir);
      expect(reset.code, reset.stderr).toBe(0);
      expect(reset.stdout).toMatch(/state database .*: damaged/);
      expect(reset.stdout).toMatch(/moved .*state\.db aside to .*state\.db\.damaged-/);
      expect((await run(p.dir)).results.map((r) => r.status)).toEqual(['SUCCESS', 'SUCCESS']);
    } finally {
      p.cleanup();
    }
  });
});

describe('a damaged table metadata file', () => {
  it(
    'hides only its own table; the error names the file and the rollback command, which works',
    async () => {
      const p = await syncedProject();
      try {
        const v1 = await tableRows(p.dir, TASKS);
        const expected = join(p.dir, 'expected-v1.jsonl');
        writeExpectedJsonl(expected, canonical(v1.table, v1.rows));
        sim.advanceClock(12 * 3600_000);
        expect((await run(p.dir, ['--config-id', 'Wrike_Tasks'])).results[0]!.status).toBe('SUCCESS');
        const v2 = await tableRows(p.dir, TASKS);
        expect(v2.metadataLocation).not.toBe(v1.metadataLocation);
        rmSync(new URL(v2.metadataLocation).pathname);

        const list = await floe('table', 'list', '--project', p.dir);
        expect(list.code).toBe(1);
        const lines = list.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { table: string; records?: string; error?: string });
        expect(lines.find((l) => l.table === CONTACTS)?.records).toBeTruthy();
        const broken = lines.find((l) => l.table === TASKS)!;
        expect(broken.error).toContain(
          `table ${TASKS}: its current metadata file ${v2.metadataLocation} is missing`,
        );
        expect(broken.error).toContain(`floe table register ${TASKS} ${v1.metadataLocation} --force`);

        const out = await run(p.dir);
        const by = new Map(out.results.map((r) => [r.configId, r]));
        expect(by.get('Wrike_Contacts')?.status).toBe('SUCCESS');
        expect(by.get('Wrike_Tasks')?.status).toBe('FAILED');
        expect(by.get('Wrike_Tasks')?.error).toContain(
          `floe table register ${TASKS} ${v1.metadataLocation} --force`,
        );

        const fix = await floe(
          'table',
          'register',
          TASKS,
          v1.metadataLocation,
          '--force',
          '--project',
          p.dir,
        );
        expect(fix.code, fix.stderr).toBe(0);
        expect(fix.stdout).toContain(
          `re-pointed ${TASKS} from ${v2.metadataLocation} to ${v1.metadataLocation}`,
        );
        expect((await floe('table', 'list', '--project', p.dir)).code).toBe(0);
        const verified = await runVerify({
          catalog: verifyCatalog(p.dir),
          engines: ['pyiceberg'],
          tables: [{ identifier: TASKS, expected_rows: expected }],
        });
        expect(verified.ok, describeFailures(verified)).toBe(true);
      } finally {
        p.cleanup();
      }
    },
    INTEROP_TIMEOUT_MS,
  );
});
