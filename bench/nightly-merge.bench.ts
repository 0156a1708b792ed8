/**
 * Nightly-sync series (issue #10): a FLOE_BENCH_NIGHTLY_ROWS-task table (default 2,000,000; the
 * 20 columns of bench/merge-data.ts), then FLOE_BENCH_NIGHTLY_RUNS incremental MERGE runs
 * (default 10) of FLOE_BENCH_NIGHTLY_CHANGE_PCT % of the table each (default 1: 20,000 rows, 80%
 * updates of existing tasks spread over the whole key range, 20% new tasks), then compaction.
 * Target: time per run stays flat, run 10 ≤ 1.3× run 1.
 *
 * Driven at the Iceberg level, the write path an L1 MERGE run takes (`Table.merge` of an NDJSON
 * spool, keys [id], orderBy updated_at), without the HTTP fetch: fetching 20k changed tasks costs
 * the same every night and would only dilute the ratio. The table's `write.merge.mode` is
 * FLOE_BENCH_NIGHTLY_MODE (default merge-on-read, where growing delete files would show); each
 * run reports the mode its commit actually applied. The inputs are written by DuckDB first
 * (untimed); the load and the series run in child processes (peak RSS is the series process's).
 * Compaction runs if src/iceberg/maintenance/compact.js exports one (see nightly-merge-floe.ts),
 * followed by one more run of the same size; otherwise the reason is printed and no figure given.
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
const opts = { maxBuffer: 16 << 20, timeout: 60 * 60_000 };

interface RunResult {
  seconds: number;
  matched: number;
  total_records: number;
  data_files: number;
  delete_files: number;
  applied: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function run(): Promise<BenchFigure[]> {
  const rows = Number(process.env.FLOE_BENCH_NIGHTLY_ROWS ?? 2_000_000);
  const runs = Number(process.env.FLOE_BENCH_NIGHTLY_RUNS ?? 10);
  const pct = Number(process.env.FLOE_BENCH_NIGHTLY_CHANGE_PCT ?? 1);
  const mode = process.env.FLOE_BENCH_NIGHTLY_MODE ?? 'merge-on-read';
  const perRun = Math.max(2, Math.round((rows * pct) / 100));
  const updates = Math.round(perRun * 0.8);
  const fresh = perRun - updates;
  const dir = mkdtempSync(join(tmpdir(), 'floe-bench-nightly-'));
  try {
    await writeInputs(mergeRowsSql(`SELECT i FROM range(${rows}) t(i)`), {
      parquet: join(dir, 'base.parquet'),
    });
    // Run r updates `updates` tasks among those that exist by then and adds `fresh` new ones.
    for (let r = 1; r <= runs + 1; r++) {
      const existing = rows + (r - 1) * fresh;
      await writeInputs(
        mergeRowsSql(upsertIdsSql(existing, perRun, updates, existing, r * 104_729), String(r)),
        {
          ndjson: join(dir, r > runs ? 'run-after.ndjson' : `run-${r}.ndjson`),
        },
      );
    }
    await exec(
      process.execPath,
      ['--import', 'tsx', join(here, 'nightly-merge-floe.ts'), 'load', dir, mode],
      opts,
    );
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', join(here, 'nightly-merge-floe.ts'), 'series', dir, String(runs), String(perRun)],
      opts,
    );
    child.stderr?.pipe(process.stderr);
    const stdout = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout?.on('data', (d) => {
        buf += d;
      });
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve(buf) : reject(new Error(`series exited with ${code}`)),
      );
    });
    const out = JSON.parse(stdout) as {
      runs: RunResult[];
      peak_rss_series_mb: number;
      peak_rss_mb: number;
      compaction?: { name: string; seconds: number };
      after_compaction?: RunResult;
      compaction_skipped?: string;
    };
    const expected = rows + runs * fresh;
    const last = out.runs[out.runs.length - 1]!;
    if (last.total_records !== expected)
      throw new Error(`${last.total_records} rows after ${runs} runs, expected ${expected}`);
    const secs = out.runs.map((r) => r.seconds);
    const label = `${perRun} rows (${pct}%) into ${rows}`;
    const figures: BenchFigure[] = out.runs.map((r, i) => ({
      name: `nightly run ${i + 1}: ${label}`,
      value: r.seconds,
      unit: 's',
      note: `${r.applied}; ${r.data_files} data + ${r.delete_files} delete files after`,
    }));
    figures.push(
      {
        name: `run ${runs} / run 1`,
        value: secs[runs - 1]! / secs[0]!,
        unit: 'x',
        note: `target ≤ 1.3; mode ${mode}`,
      },
      {
        name: 'median of the last 3 runs / median of the first 3',
        value: median(secs.slice(-3)) / median(secs.slice(0, 3)),
        unit: 'x',
        note: 'less noisy',
      },
      { name: `floe peak RSS over the ${runs} runs`, value: out.peak_rss_series_mb, unit: 'MB' },
    );
    if (out.compaction && out.after_compaction) {
      figures.push(
        { name: `compaction (${out.compaction.name})`, value: out.compaction.seconds, unit: 's' },
        {
          name: 'run after compaction / run 1',
          value: out.after_compaction.seconds / secs[0]!,
          unit: 'x',
          note: `${out.after_compaction.data_files} data + ${out.after_compaction.delete_files} delete files after`,
        },
        { name: 'floe peak RSS incl. compaction', value: out.peak_rss_mb, unit: 'MB' },
      );
    } else {
      process.stderr.write(`  compaction skipped: ${out.compaction_skipped}\n`);
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
