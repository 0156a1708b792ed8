/**
 * Iceberg append: floe vs PyIceberg (pyarrow), same data, same machine, same run.
 * (1) one append of FLOE_BENCH_ROWS rows (default 1,000,000; 10 mixed-type columns) into a new
 * table; (2) 200 successive appends of 100 rows, comparing late commits with early ones (manifest
 * merging keeps floe's commit cost flat). Each side runs in its own process so peak RSS is its own.
 * floe's timing includes generating its rows (a lazy generator); PyIceberg's data is built before
 * its timer starts, so the comparison is conservative for floe.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BenchFigure } from './run.js';

const exec = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const python = process.env.FLOE_PYTHON ?? join(here, '..', '.cache', 'venv', 'bin', 'python');

interface SideResult {
  append_1m_s: number;
  append_columnar_s?: number;
  small_appends_s: number[];
  peak_rss_mb: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function run(): Promise<BenchFigure[]> {
  const rows = String(process.env.FLOE_BENCH_ROWS ?? 1_000_000);
  const small = String(process.env.FLOE_BENCH_SMALL_APPENDS ?? 200);
  const dir = mkdtempSync(join(tmpdir(), 'floe-bench-append-'));
  try {
    const opts = { maxBuffer: 64 << 20, timeout: 30 * 60_000 };
    const floe = JSON.parse(
      (
        await exec(
          process.execPath,
          ['--import', 'tsx', join(here, 'iceberg-append-floe.ts'), dir, rows, small, '100'],
          opts,
        )
      ).stdout,
    ) as SideResult;
    const py = JSON.parse(
      (await exec(python, [join(here, 'pyiceberg_append.py'), dir, rows, small, '100'], opts)).stdout,
    ) as SideResult;
    const n = floe.small_appends_s.length;
    // Early = commits 6–15, late = the last 10 (medians: single commits are noisy on 2 cores).
    const early = (xs: number[]) => median(xs.slice(5, 15));
    const late = (xs: number[]) => median(xs.slice(n - 10));
    return [
      { name: `append ${rows} rows: floe`, value: floe.append_1m_s, unit: 's' },
      { name: `append ${rows} rows: PyIceberg`, value: py.append_1m_s, unit: 's' },
      {
        name: 'append speed floe / PyIceberg (floe input: JS rows)',
        value: py.append_1m_s / floe.append_1m_s,
        unit: 'x',
        note: 'target ≥ 1',
      },
      {
        name: `append ${rows} rows: floe columnar (DuckDB table input)`,
        value: floe.append_columnar_s!,
        unit: 's',
      },
      {
        name: 'append speed floe columnar / PyIceberg (both columnar)',
        value: py.append_1m_s / floe.append_columnar_s!,
        unit: 'x',
        note: 'target ≥ 1',
      },
      { name: 'floe peak RSS (append process)', value: floe.peak_rss_mb, unit: 'MB' },
      { name: 'PyIceberg peak RSS (incl. its Arrow input)', value: py.peak_rss_mb, unit: 'MB' },
      {
        name: `${n} small appends total: floe`,
        value: floe.small_appends_s.reduce((a, b) => a + b, 0),
        unit: 's',
      },
      {
        name: `${n} small appends total: PyIceberg`,
        value: py.small_appends_s.reduce((a, b) => a + b, 0),
        unit: 's',
      },
      {
        name: 'floe commit: early median (commits 6-15)',
        value: early(floe.small_appends_s) * 1000,
        unit: 'ms',
      },
      {
        name: `floe commit: late median (last 10 of ${n})`,
        value: late(floe.small_appends_s) * 1000,
        unit: 'ms',
      },
      {
        name: 'floe late / early commit',
        value: late(floe.small_appends_s) / early(floe.small_appends_s),
        unit: 'x',
        note: 'target ≤ 1.5',
      },
      {
        name: 'floe 200th / 10th commit',
        value: floe.small_appends_s[n - 1]! / floe.small_appends_s[9]!,
        unit: 'x',
        note: 'single commits, noisy',
      },
      {
        name: 'PyIceberg late / early commit',
        value: late(py.small_appends_s) / early(py.small_appends_s),
        unit: 'x',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
