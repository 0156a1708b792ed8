/**
 * Commit latency over a table's life (issue #10): FLOE_BENCH_COMMITS small appends (default 1,000
 * of FLOE_BENCH_COMMIT_ROWS = 10 rows each) to one table with metadata cleanup on
 * (`write.metadata.delete-after-commit.enabled=true`, `write.metadata.previous-versions-max=10`).
 * Target: the 1000th commit's latency ≤ 1.5× the 10th's. Single commits are noisy on a shared
 * 2-core machine, so each end is the median of a window: commits 5–15 and the last 11 (990–1000).
 * Also reported: metadata files left in the table's metadata folder (with cleanup on, about 11
 * whatever the number of commits) and the log length. Runs in a child process.
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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function run(): Promise<BenchFigure[]> {
  const commits = Math.max(30, Number(process.env.FLOE_BENCH_COMMITS ?? 1000));
  const rows = Number(process.env.FLOE_BENCH_COMMIT_ROWS ?? 10);
  const dir = mkdtempSync(join(tmpdir(), 'floe-bench-commits-'));
  try {
    const { stdout } = await exec(
      process.execPath,
      ['--import', 'tsx', join(here, 'commit-latency-floe.ts'), dir, String(commits), String(rows)],
      { maxBuffer: 16 << 20, timeout: 60 * 60_000 },
    );
    const out = JSON.parse(stdout) as {
      commits_s: number[];
      metadata_files: number;
      metadata_log: number;
      snapshots: number;
      total_records: number;
      peak_rss_mb: number;
    };
    if (out.total_records !== commits * rows)
      throw new Error(`${out.total_records} rows after ${commits} commits, expected ${commits * rows}`);
    const s = out.commits_s;
    const early = median(s.slice(4, 15)); // commits 5–15
    const late = median(s.slice(commits - 11)); // commits N-10 … N
    return [
      { name: 'commit latency: median of commits 5-15', value: early * 1000, unit: 'ms' },
      {
        name: `commit latency: median of commits ${commits - 10}-${commits}`,
        value: late * 1000,
        unit: 'ms',
      },
      {
        name: `commit ${commits} / commit 10 (window medians)`,
        value: late / early,
        unit: 'x',
        note: 'target ≤ 1.5',
      },
      {
        name: `commit ${commits} / commit 10 (single commits)`,
        value: s[commits - 1]! / s[9]!,
        unit: 'x',
        note: 'noisy',
      },
      { name: `${commits} commits total`, value: s.reduce((a, b) => a + b, 0), unit: 's' },
      {
        name: 'metadata.json files left in metadata/',
        value: out.metadata_files,
        unit: 'files',
        note: `cleanup on, previous-versions-max 10; metadata-log ${out.metadata_log}, ${out.snapshots} snapshots`,
      },
      { name: 'floe peak RSS', value: out.peak_rss_mb, unit: 'MB' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
