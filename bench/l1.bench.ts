/**
 * L1 end to end: N Wrike tasks from the simulator (no throttling) into a MERGE table, records/s
 * and peak RSS, at 1M and at 100k (memory should stay flat), and the ceiling: DuckDB alone
 * converting the same records from NDJSON to Parquet (the records fetched to a file first,
 * untimed). floe/ceiling = floe's records/s ÷ DuckDB's records/s. floe's figure includes the
 * HTTP fetch; the ceiling's does not.
 */
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sqlString, withDuck } from '../src/duck/session.js';
import { startWrikeSimulator } from '../src/sim/wrike/index.js';
import { tasksItem, tempProject } from '../test/support/l1-project.js';
import type { BenchFigure } from './run.js';

const exec = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));

async function floeRun(tasks: number): Promise<{ seconds: number; records: number; peak_rss_mb: number }> {
  const sim = await startWrikeSimulator({ tasks, rateLimit: false, seed: 3 });
  const project = tempProject(sim, 'sim-permanent-token');
  try {
    project.writeConfig(tasksItem(sim, 1000));
    const { stdout } = await exec(
      process.execPath,
      ['--import', 'tsx', join(here, 'l1-floe.ts'), project.dir],
      { maxBuffer: 1 << 20, timeout: 30 * 60_000 },
    );
    return JSON.parse(stdout);
  } finally {
    await sim.close();
    project.cleanup();
  }
}

async function ceiling(tasks: number): Promise<number> {
  const sim = await startWrikeSimulator({ tasks, rateLimit: false, seed: 3 });
  const dir = mkdtempSync(join(tmpdir(), 'floe-bench-ceiling-'));
  try {
    const file = join(dir, 'tasks.ndjson');
    const out = createWriteStream(file);
    let buf = '';
    for await (const t of sim.records('tasks')) {
      buf += `${JSON.stringify(t)}\n`;
      if (buf.length > 1 << 20) {
        if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
        buf = '';
      }
    }
    out.write(buf);
    await new Promise<void>((r) => out.end(() => r()));
    const t0 = performance.now();
    await withDuck((d) =>
      d.run(
        `COPY (SELECT * FROM read_json_auto(${sqlString(file)}, format = 'newline_delimited')) TO ${sqlString(join(dir, 'out.parquet'))} (FORMAT parquet, COMPRESSION zstd)`,
      ),
    );
    return (performance.now() - t0) / 1000;
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A fairer peer than the ceiling: the minimal hand-written pipeline doing the same job end to
 * end — fetch every page over HTTP (pageSize 1000, nextPageToken), append the raw records to an
 * NDJSON file, let DuckDB convert it to Parquet. No schema, no Iceberg, no MERGE, no state.
 */
async function naivePipeline(tasks: number): Promise<number> {
  const sim = await startWrikeSimulator({ tasks, rateLimit: false, seed: 3 });
  const dir = mkdtempSync(join(tmpdir(), 'floe-bench-naive-'));
  try {
    const file = join(dir, 'tasks.ndjson');
    const t0 = performance.now();
    const out = createWriteStream(file);
    let token: string | undefined;
    do {
      const url = `${sim.baseUrl}/tasks?pageSize=1000${token ? `&nextPageToken=${encodeURIComponent(token)}` : ''}`;
      const body = (await (
        await fetch(url, { headers: { Authorization: 'Bearer sim-permanent-token' } })
      ).json()) as {
        data: unknown[];
        nextPageToken?: string;
      };
      let buf = '';
      for (const r of body.data) buf += `${JSON.stringify(r)}\n`;
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      token = body.nextPageToken;
    } while (token);
    await new Promise<void>((r) => out.end(() => r()));
    await withDuck((d) =>
      d.run(
        `COPY (SELECT * FROM read_json_auto(${sqlString(file)}, format = 'newline_delimited')) TO ${sqlString(join(dir, 'out.parquet'))} (FORMAT parquet, COMPRESSION zstd)`,
      ),
    );
    return (performance.now() - t0) / 1000;
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchFigure[]> {
  const big = Number(process.env.FLOE_BENCH_TASKS ?? 1_000_000);
  const small = Math.max(1000, Math.floor(big / 10));
  const figures: BenchFigure[] = [];
  const a = await floeRun(small);
  const b = await floeRun(big);
  const c = await ceiling(big);
  const naive = await naivePipeline(big);
  figures.push(
    { name: `L1 MERGE ${small} tasks: floe`, value: a.records / a.seconds, unit: 'rec/s' },
    { name: `L1 MERGE ${small} tasks: floe peak RSS`, value: a.peak_rss_mb, unit: 'MB' },
    { name: `L1 MERGE ${big} tasks: floe`, value: b.records / b.seconds, unit: 'rec/s' },
    { name: `L1 MERGE ${big} tasks: floe peak RSS`, value: b.peak_rss_mb, unit: 'MB', note: 'target < 500' },
    { name: `ceiling: DuckDB NDJSON→Parquet ${big} tasks`, value: big / c, unit: 'rec/s' },
    { name: 'floe / ceiling', value: b.records / b.seconds / (big / c), unit: 'x', note: 'target ≥ 0.5' },
    { name: `naive fetch→NDJSON→DuckDB ${big} tasks (no Iceberg)`, value: big / naive, unit: 'rec/s' },
    {
      name: 'floe / naive pipeline',
      value: b.records / b.seconds / (big / naive),
      unit: 'x',
      note: 'both include the HTTP fetch',
    },
  );
  return figures;
}
