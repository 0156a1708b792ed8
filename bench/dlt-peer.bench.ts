/**
 * The Python peer a user would pick (issue #10): dlt 1.x (`rest_api` source → `filesystem`
 * destination, `table_format="iceberg"`, merged on id, incremental on updatedDate; see
 * bench/dlt_wrike.py) beside floe's L1 run of the Wrike pack's `Wrike_Tasks` item, against the
 * same simulator (`floe sim wrike --tasks FLOE_BENCH_DLT_TASKS --rate-limit off`, default
 * 100,000 tasks): a first load, then, after `POST /__sim/clock {"advanceMs": 86400000}`, one
 * incremental run. Each tool gets a fresh simulator (same seed, same clock), runs in its own
 * processes (one per run, like a nightly job; peak RSS is that process's), and is timed inside
 * its process around the sync itself (interpreter/runtime start and imports excluded for both).
 *
 * The pack item is used as shipped except `source.rateLimit` (400 requests/min, real Wrike's
 * limit), removed because the simulator runs unthrottled and dlt's rest_api has no such pacing.
 * dlt's defaults otherwise: every nested list becomes a child table merged on its own, and dlt
 * 1.x merges into Iceberg in batches of 1,000 rows, one PyIceberg upsert commit each
 * (dlt/common/libs/pyiceberg.py), so its first load is quadratic in the table size.
 * FLOE_BENCH_DLT_MAX_NESTING=0 gives dlt one tasks table (nested values as JSON), closer to
 * floe's one table with nested columns and less work for dlt.
 * dlt runs from its own venv, .cache/venv-dlt (bench/setup-dlt.sh installs dlt[pyiceberg,
 * filesystem]>=1,<2); if that cannot be set up, the bench prints why and reports only floe.
 */

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { wrikePack } from '../src/connectors/wrike/index.js';
import { loadTable } from '../src/iceberg/index.js';
import { liveRecords } from '../src/iceberg/spec/metadata.js';
import { withProjectCatalog } from '../test/support/l1-project.js';
import type { BenchFigure } from './run.js';

const exec = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const dltPython = process.env.FLOE_DLT_PYTHON ?? join(root, '.cache', 'venv-dlt', 'bin', 'python');
const opts = { maxBuffer: 16 << 20, timeout: 60 * 60_000 };
const TOKEN = 'sim-permanent-token';
const DAY_MS = 86_400_000;

interface Sim {
  origin: string;
  baseUrl: string;
  advanceDay(): Promise<void>;
  close(): Promise<void>;
}

/** `floe sim wrike` in a child process (its CPU is not the measured process's). */
async function startSim(tasks: number): Promise<Sim> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'src', 'cli', 'main.ts'),
      'sim',
      'wrike',
      '--tasks',
      String(tasks),
      '--rate-limit',
      'off',
      '--seed',
      '3',
      '--port',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const m = /base URL:\s+(\S+)/.exec(buf);
      if (m) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(m[1]!);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`floe sim wrike exited with ${code}: ${buf}`)));
  });
  const origin = new URL(baseUrl).origin;
  return {
    origin,
    baseUrl,
    async advanceDay() {
      const res = await fetch(`${origin}/__sim/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advanceMs: DAY_MS }),
      });
      if (!res.ok) throw new Error(`POST /__sim/clock: ${res.status} ${await res.text()}`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

interface RunFigures {
  seconds: number;
  records: number;
  peak_rss_mb: number;
}

/**
 * floe: the pack's Wrike_Tasks item in a throwaway project, each run via bench/l1-floe.ts. A run
 * that fails at floe's default DuckDB memory limit is reported as such (`failure`) and the series
 * is run again from scratch with FLOE_DUCKDB_MEMORY=FLOE_BENCH_DLT_FLOE_RETRY_MEMORY (default
 * 1GB), so the failure is visible and the comparison still has figures.
 */
async function floeSide(tasks: number): Promise<{
  first: RunFigures;
  incremental: RunFigures;
  tableRows: number;
  failure?: string;
  memory?: string;
}> {
  try {
    return await floeSeries(tasks, {});
  } catch (e) {
    const stderr = String((e as { stderr?: string }).stderr ?? (e as Error).message);
    const reason = /Error: L1 bench run failed: (.*)/.exec(stderr)?.[1];
    const failure = reason && `${(e as { run?: string }).run ?? 'a run'} failed: ${reason}`;
    if (!failure) throw e;
    const memory = process.env.FLOE_BENCH_DLT_FLOE_RETRY_MEMORY ?? '1GB';
    process.stderr.write(
      `  floe failed at the default DuckDB memory limit: ${failure}\n  again with FLOE_DUCKDB_MEMORY=${memory}\n`,
    );
    return { ...(await floeSeries(tasks, { FLOE_DUCKDB_MEMORY: memory })), failure, memory };
  }
}

async function floeSeries(
  tasks: number,
  env: Record<string, string>,
): Promise<{ first: RunFigures; incremental: RunFigures; tableRows: number }> {
  const sim = await startSim(tasks);
  const dir = mkdtempSync(join(tmpdir(), 'floe-bench-dlt-floe-'));
  try {
    for (const d of ['configs/l1', 'configs/l2', '.floe']) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(
      join(dir, 'floe.yaml'),
      'environment: test\nlogs: { format: json, level: warn }\nparallelism: 3\n',
    );
    writeFileSync(join(dir, '.floe', 'secrets.yaml'), `wrike-token: ${TOKEN}\n`, { mode: 0o600 });
    const item = wrikePack({ baseUrl: sim.origin }).find((i) => i.configId === 'Wrike_Tasks')!;
    delete (item.source as Record<string, unknown>).rateLimit;
    writeFileSync(join(dir, 'configs', 'l1', 'Wrike_Tasks.json'), JSON.stringify(item, null, 2));
    const runOnce = async () =>
      JSON.parse(
        (
          await exec(process.execPath, ['--import', 'tsx', join(here, 'l1-floe.ts'), dir], {
            ...opts,
            env: { ...process.env, ...env },
          })
        ).stdout,
      ) as RunFigures;
    const labelled = async (run: string) => {
      try {
        return await runOnce();
      } catch (e) {
        throw Object.assign(e as Error, { run });
      }
    };
    const first = await labelled('the first load');
    await sim.advanceDay();
    const incremental = await labelled('the incremental run');
    const tableRows = await withProjectCatalog(dir, async (c) => {
      const t = await loadTable(c, 'wrike_staging.staging_tasks');
      // Live rows: data rows less the rows position deletes remove (merge-on-read).
      const s = t.currentSnapshot();
      return s ? Number(liveRecords(s.summary)) : -1;
    });
    return { first, incremental, tableRows };
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface DltRun {
  seconds: number;
  rows: number;
  tables: Record<string, number>;
  table_rows: number;
  peak_rss_mb: number;
  dlt: string;
}

async function dltSide(tasks: number): Promise<{ first: DltRun; incremental: DltRun }> {
  const sim = await startSim(tasks);
  const dir = mkdtempSync(join(tmpdir(), 'floe-bench-dlt-'));
  try {
    const runOnce = async () =>
      JSON.parse(
        (
          await exec(dltPython, [join(here, 'dlt_wrike.py'), sim.baseUrl, TOKEN, dir], {
            ...opts,
            env: {
              ...process.env,
              DLT_DATA_DIR: join(dir, 'dlt-home'),
              ...(process.env.FLOE_BENCH_DLT_MAX_NESTING
                ? { FLOE_DLT_MAX_TABLE_NESTING: process.env.FLOE_BENCH_DLT_MAX_NESTING }
                : {}),
            },
          })
        ).stdout,
      ) as DltRun;
    const first = await runOnce();
    await sim.advanceDay();
    const incremental = await runOnce();
    return { first, incremental };
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sets up dlt's venv; the reason it cannot be, or undefined when ready. */
async function setupDlt(): Promise<string | undefined> {
  if (process.env.FLOE_DLT_PYTHON) return undefined;
  try {
    await exec('bash', [join(here, 'setup-dlt.sh')], { timeout: 15 * 60_000 });
    return undefined;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return (err.stderr?.trim() || err.message).split('\n').slice(-3).join(' ');
  }
}

export async function run(): Promise<BenchFigure[]> {
  const tasks = Number(process.env.FLOE_BENCH_DLT_TASKS ?? 100_000);
  const unavailable = await setupDlt();
  const floe = await floeSide(tasks);
  process.stderr.write(`  floe: ${JSON.stringify(floe)}\n`);
  const mem = floe.memory ? `; FLOE_DUCKDB_MEMORY=${floe.memory}` : '';
  const figures: BenchFigure[] = [];
  if (floe.failure)
    figures.push({
      name: 'floe runs that succeeded at the default DuckDB memory',
      value: 0,
      unit: 'of 2',
      note: `${floe.failure.slice(0, 160)}; floe figures below: FLOE_DUCKDB_MEMORY=${floe.memory}`,
    });
  figures.push(
    {
      name: `first load ${tasks} tasks: floe`,
      value: floe.first.seconds,
      unit: 's',
      ...(mem ? { note: mem.slice(2) } : {}),
    },
    {
      name: 'incremental run (+1 day): floe',
      value: floe.incremental.seconds,
      unit: 's',
      note: `${floe.incremental.records} changed tasks${mem}`,
    },
    {
      name: 'floe peak RSS (first load / incremental)',
      value: Math.max(floe.first.peak_rss_mb, floe.incremental.peak_rss_mb),
      unit: 'MB',
      note: `${floe.first.peak_rss_mb.toFixed(0)} / ${floe.incremental.peak_rss_mb.toFixed(0)}${mem}`,
    },
  );
  if (unavailable) {
    process.stderr.write(`  dlt unavailable, no dlt figure: ${unavailable}\n`);
    return figures;
  }
  const dlt = await dltSide(tasks);
  process.stderr.write(`  dlt: ${JSON.stringify(dlt)}\n`);
  if (dlt.first.rows !== floe.first.records || dlt.incremental.rows !== floe.incremental.records)
    process.stderr.write(
      `  note: rows differ: floe ${floe.first.records}+${floe.incremental.records}, dlt ${dlt.first.rows}+${dlt.incremental.rows}\n`,
    );
  const childTables = Object.keys(dlt.first.tables).length - 1;
  figures.push(
    {
      name: `first load ${tasks} tasks: dlt ${dlt.first.dlt}`,
      value: dlt.first.seconds,
      unit: 's',
      note: childTables
        ? `dlt's default nesting: +${childTables} child tables`
        : `max_table_nesting ${process.env.FLOE_BENCH_DLT_MAX_NESTING}: one table`,
    },
    {
      name: 'incremental run (+1 day): dlt',
      value: dlt.incremental.seconds,
      unit: 's',
      note: `${dlt.incremental.rows} changed tasks`,
    },
    {
      name: 'dlt peak RSS (first load / incremental)',
      value: Math.max(dlt.first.peak_rss_mb, dlt.incremental.peak_rss_mb),
      unit: 'MB',
      note: `${dlt.first.peak_rss_mb.toFixed(0)} / ${dlt.incremental.peak_rss_mb.toFixed(0)}`,
    },
    { name: 'first load speed floe / dlt', value: dlt.first.seconds / floe.first.seconds, unit: 'x' },
    {
      name: 'incremental speed floe / dlt',
      value: dlt.incremental.seconds / floe.incremental.seconds,
      unit: 'x',
    },
    {
      name: 'tasks table rows after both runs: floe / dlt',
      value: floe.tableRows / dlt.incremental.table_rows,
      unit: 'x',
      note: `${floe.tableRows} / ${dlt.incremental.table_rows}; 1 = same result`,
    },
  );
  return figures;
}
