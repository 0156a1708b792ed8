/**
 * A project copied with `cp -a` keeps absolute Iceberg paths: its catalog and metadata name the
 * original's files, so a run in the copy would write into the original. floe refuses to run
 * there; `floe catalog relocate` rewrites the copy's tables onto its own files (new files only),
 * PyIceberg reads the same rows from the copy with the original out of reach, and the copy's next
 * run leaves the original byte-for-byte unchanged.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobParams } from '../../src/config/job-params.js';
import { loadTable } from '../../src/iceberg/index.js';
import { toCanonical } from '../../src/iceberg/spec/values.js';
import { runJob } from '../../src/job/run-job.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
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
const TABLES = ['wrike_staging.staging_contacts', 'wrike_staging.staging_tasks'];
let sim: WrikeSimulator;
let original: TempProject;
const copies: string[] = [];
const expected = new Map<string, { file: string; count: number }>();

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
      logStream: { write: () => true },
      now: () => sim.now(),
    },
  );
}

async function copyProject(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'floe-copy-'));
  copies.push(dir);
  await promisify(execFile)('cp', ['-a', `${original.dir}/.`, dir]);
  return dir;
}

/** Every file under `dir` with the SHA-256 of its bytes. */
function fingerprint(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(p.slice(dir.length), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

function catalogPointers(dir: string): string[] {
  const db = new Database(join(dir, '.floe', 'catalog.db'), { readonly: true });
  try {
    return (
      db.prepare('SELECT metadata_location l FROM iceberg_tables ORDER BY table_name').all() as {
        l: string;
      }[]
    ).map((r) => r.l);
  } finally {
    db.close();
  }
}

/** Runs `fn` with the original's warehouse out of reach, so only the copy's own files can be read. */
async function withoutOriginal<T>(fn: () => Promise<T>): Promise<T> {
  const wh = join(original.dir, 'warehouse');
  renameSync(wh, `${wh}.hidden`);
  try {
    return await fn();
  } finally {
    renameSync(`${wh}.hidden`, wh);
  }
}

beforeAll(async () => {
  interopAvailable();
  sim = await startWrikeSimulator({ tasks: 700, rateLimit: false, seed: 13 });
  original = tempProject(sim, sim.permanentToken!);
  original.writeConfig(tasksItem(sim));
  original.writeConfig(
    l1Item(sim, {
      configId: 'Wrike_Contacts',
      object: 'contacts',
      path: '/contacts',
      table: 'staging_contacts',
      writeMode: 'OVERWRITE',
    }),
  );
  expect((await run(original.dir)).ok).toBe(true);
  // Two snapshots in the tasks table, so relocation rewrites more than one manifest list.
  sim.advanceClock(6 * 3600_000);
  expect((await run(original.dir, ['--config-id', 'Wrike_Tasks'])).ok).toBe(true);
  await withProjectCatalog(original.dir, async (c) => {
    for (const name of TABLES) {
      const t = await loadTable(c, name);
      const rows = (await t.scan().toRows()).map(
        (r) => toCanonical({ type: 'struct', fields: t.schema().fields }, r) as CanonicalRow,
      );
      const file = join(original.dir, `expected-${name}.jsonl`);
      writeExpectedJsonl(file, rows);
      expected.set(name, { file, count: rows.length });
    }
  });
});
afterAll(async () => {
  await sim?.close();
  original?.cleanup();
  for (const d of copies) rmSync(d, { recursive: true, force: true });
});

describe('a copied project', () => {
  it(
    'refuses to run; `floe catalog relocate` moves its tables onto its own files; the original stays untouched',
    async () => {
      const copy = await copyProject();
      const originalBefore = fingerprint(original.dir);
      const pointersBefore = catalogPointers(copy);
      expect(pointersBefore.every((p) => p.startsWith(`file://${original.dir}/warehouse/`))).toBe(true);

      await expect(run(copy)).rejects.toThrow(
        /2 tables of this project point outside its warehouse .*floe catalog relocate/s,
      );
      const list = await floe('table', 'list', '--project', copy);
      expect(list.code).toBe(1);
      expect(list.stderr).toMatch(/warning: 2 tables of this project point outside its warehouse/);

      const copyBefore = fingerprint(join(copy, 'warehouse'));
      const dry = await floe('catalog', 'relocate', '--dry-run', '--project', copy);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain(
        `wrike_staging.staging_tasks: would relocate file://${original.dir}/warehouse/wrike_staging/staging_tasks → file://${copy}/warehouse/wrike_staging/staging_tasks`,
      );
      expect(catalogPointers(copy)).toEqual(pointersBefore);
      expect(fingerprint(join(copy, 'warehouse'))).toEqual(copyBefore);

      const moved = await floe('catalog', 'relocate', '--project', copy);
      expect(moved.code, moved.stderr).toBe(0);
      expect(moved.stdout).toMatch(/2 relocated, 0 unchanged/);
      expect(catalogPointers(copy).every((p) => p.startsWith(`file://${copy}/warehouse/`))).toBe(true);
      // Existing files of the copy were not modified either: only new ones were added.
      const copyAfter = fingerprint(join(copy, 'warehouse'));
      for (const [f, h] of copyBefore) expect(copyAfter.get(f), f).toBe(h);

      const verified = await withoutOriginal(() =>
        runVerify({
          catalog: {
            name: 'floe',
            db: join(copy, '.floe', 'catalog.db'),
            warehouse: join(copy, 'warehouse'),
          },
          engines: ['pyiceberg'],
          tables: TABLES.map((identifier) => ({
            identifier,
            expected_rows: expected.get(identifier)!.file,
            aggregates: { count: expected.get(identifier)!.count },
          })),
        }),
      );
      expect(verified.ok, describeFailures(verified)).toBe(true);

      sim.advanceClock(6 * 3600_000);
      const next = await run(copy);
      expect(next.results.map((r) => r.status)).toEqual(['SUCCESS', 'SUCCESS']);
      const tasks = next.results.find((r) => r.configId === 'Wrike_Tasks')!;
      const truth: { id: string; updatedDate: string }[] = [];
      for await (const r of sim.records('tasks')) truth.push(r as { id: string; updatedDate: string });
      expect(tasks.records).toBeGreaterThan(0);
      expect(tasks.records).toBeLessThan(truth.length / 2);
      await withoutOriginal(() =>
        withProjectCatalog(copy, async (c) => {
          const rows = await (await loadTable(c, 'wrike_staging.staging_tasks')).scan().toRows();
          expect(rows.length).toBe(truth.length);
          expect(new Set(rows.map((r) => r.id)).size).toBe(truth.length);
        }),
      );
      expect(fingerprint(original.dir)).toEqual(originalBefore);
    },
    INTEROP_TIMEOUT_MS,
  );

  it('a copy whose lost catalog was rebuilt by recover is caught by its metadata, and relocates with --from', async () => {
    const copy = await copyProject();
    const originalBefore = fingerprint(original.dir);
    truncateSync(join(copy, '.floe', 'catalog.db'), 0);
    const rec = await floe('catalog', 'recover', '--project', copy);
    expect(rec.code, rec.stderr).toBe(0);
    expect(rec.stdout).toContain(`its metadata places the table at file://${original.dir}/warehouse/`);
    expect(rec.stdout).toContain('run `floe catalog relocate` next');
    expect(catalogPointers(copy).every((p) => p.startsWith(`file://${copy}/warehouse/`))).toBe(true);

    await expect(run(copy)).rejects.toThrow(/named by file:\/\/.*floe catalog relocate/s);
    const moved = await floe(
      'catalog',
      'relocate',
      '--from',
      join(original.dir, 'warehouse'),
      '--project',
      copy,
    );
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toMatch(/2 relocated/);
    await withoutOriginal(async () => {
      await withProjectCatalog(copy, async (c) => {
        for (const name of TABLES) {
          const t = await loadTable(c, name);
          expect(t.metadata.location.startsWith(`file://${copy}/warehouse/`)).toBe(true);
          expect((await t.scan().toRows()).length, name).toBe(expected.get(name)!.count);
        }
      });
      const out = await run(copy, ['--config-id', 'Wrike_Tasks']);
      expect(out.results[0]!.status).toBe('SUCCESS');
    });
    expect(existsSync(join(original.dir, 'warehouse'))).toBe(true);
    expect(fingerprint(original.dir)).toEqual(originalBefore);
  });
});
