/**
 * Upsert (issue #10): FLOE_BENCH_MERGE_UPSERT rows (default 50,000: half matched, half new) into a
 * FLOE_BENCH_MERGE_ROWS-row (default 2,000,000), 20-column table (bench/merge-data.ts): floe with
 * `write.merge.mode=merge-on-read`, floe with `copy-on-write`, and PyIceberg `Table.upsert`, same
 * data, same machine, same run. Target: floe MoR ≥ 20× PyIceberg, peak RSS < 500 MB.
 *
 * The base table and the upsert input are written by DuckDB first (untimed). Each side then loads
 * its own table in one process (untimed) and upserts in another, so the wall time is the upsert's
 * alone and the peak RSS the upsert process's. floe's input is an NDJSON file merged with
 * `Table.merge({ndjson}, {keys: ['id'], orderBy})`, the path L1 MERGE runs take (its spool);
 * PyIceberg's is an Arrow table read from Parquet before its timer starts (conservative for floe).
 * The matched ids are spread over the whole key range. Each floe result reports which mode the
 * commit actually applied (delete files added = merge-on-read), whatever the property asked for.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { mergeRowsSql, upsertIdsSql, writeInputs } from './merge-data.js';
import type { BenchFigure } from './run.js';

const exec = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const python = process.env.FLOE_PYTHON ?? join(here, '..', '.cache', 'venv', 'bin', 'python');
const opts = { maxBuffer: 16 << 20, timeout: 60 * 60_000 };

interface UpsertResult {
  seconds: number;
  data_files?: number;
  peak_rss_mb: number;
  total_records: number;
  matched?: number;
  applied?: string;
  rows_updated?: number;
  rows_inserted?: number;
}

async function floe(step: string, ...args: string[]): Promise<UpsertResult> {
  const { stdout } = await exec(
    process.execPath,
    ['--import', 'tsx', join(here, 'merge-upsert-floe.ts'), step, ...args],
    opts,
  );
  return JSON.parse(stdout);
}

async function py(step: string, dir: string): Promise<UpsertResult> {
  const { stdout } = await exec(python, [join(here, 'pyiceberg_upsert.py'), step, dir], opts);
  return JSON.parse(stdout);
}

export async function run(): Promise<BenchFigure[]> {
  const rows = Number(process.env.FLOE_BENCH_MERGE_ROWS ?? 2_000_000);
  const upserts = Number(process.env.FLOE_BENCH_MERGE_UPSERT ?? 50_000);
  const matched = Math.floor(upserts / 2);
  const expectedTotal = rows + (upserts - matched);
  const dir = mkdtempSync(join(tmpdir(), 'floe-bench-upsert-'));
  try {
    await writeInputs(mergeRowsSql(`SELECT i FROM range(${rows}) t(i)`), {
      parquet: join(dir, 'base.parquet'),
    });
    await writeInputs(mergeRowsSql(upsertIdsSql(rows, upserts, matched, rows), '1'), {
      parquet: join(dir, 'upsert.parquet'),
      ndjson: join(dir, 'upsert.ndjson'),
    });

    const results: Record<string, UpsertResult> = {};
    const loads: Record<string, UpsertResult> = {};
    for (const [name, mode, layout] of [
      ['mor', 'merge-on-read', 'unsorted'],
      ['cow', 'copy-on-write', 'unsorted'],
      ['mor_sorted', 'merge-on-read', 'sorted'],
    ] as const) {
      loads[name] = await floe('load', dir, name, mode, layout);
      results[name] = await floe('upsert', dir, name, String(upserts));
      process.stderr.write(
        `  floe ${mode} ${layout}: load ${JSON.stringify(loads[name])} upsert ${JSON.stringify(results[name])}\n`,
      );
    }
    await py('load', dir);
    results.py = await py('upsert', dir);
    process.stderr.write(`  PyIceberg: ${JSON.stringify(results.py)}\n`);
    for (const [name, r] of Object.entries(results)) {
      if (r.total_records !== expectedTotal)
        throw new Error(`${name}: ${r.total_records} rows after the upsert, expected ${expectedTotal}`);
    }
    const {
      mor,
      cow,
      mor_sorted: sorted,
      py: pyi,
    } = results as Record<'mor' | 'cow' | 'mor_sorted' | 'py', UpsertResult>;
    const label = `${upserts} into ${rows}`;
    return [
      {
        name: `first write ${rows}: floe unsorted`,
        value: loads.mor!.seconds,
        unit: 's',
        note: `${loads.mor!.data_files} file(s), peak RSS ${loads.mor!.peak_rss_mb.toFixed(0)} MB`,
      },
      {
        name: `first write ${rows}: floe sorted by id`,
        value: loads.mor_sorted!.seconds,
        unit: 's',
        note: `${loads.mor_sorted!.data_files} file(s), peak RSS ${loads.mor_sorted!.peak_rss_mb.toFixed(0)} MB`,
      },
      {
        name: `upsert ${label}: floe MoR, sorted table`,
        value: sorted.seconds,
        unit: 's',
        note: `applied: ${sorted.applied}, peak RSS ${sorted.peak_rss_mb.toFixed(0)} MB`,
      },
      {
        name: `upsert ${label}: floe MoR`,
        value: mor.seconds,
        unit: 's',
        note: `applied: ${mor.applied}`,
      },
      {
        name: `upsert ${label}: floe CoW`,
        value: cow.seconds,
        unit: 's',
        note: `applied: ${cow.applied}`,
      },
      { name: `upsert ${label}: PyIceberg`, value: pyi.seconds, unit: 's' },
      {
        name: 'upsert speed PyIceberg / floe MoR',
        value: pyi.seconds / mor.seconds,
        unit: 'x',
        note: 'target ≥ 20',
      },
      { name: 'upsert speed PyIceberg / floe CoW', value: pyi.seconds / cow.seconds, unit: 'x' },
      {
        name: 'floe MoR upsert peak RSS',
        value: mor.peak_rss_mb,
        unit: 'MB',
        note: 'target < 500',
      },
      { name: 'floe CoW upsert peak RSS', value: cow.peak_rss_mb, unit: 'MB' },
      { name: 'PyIceberg upsert peak RSS (incl. its Arrow input)', value: pyi.peak_rss_mb, unit: 'MB' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
