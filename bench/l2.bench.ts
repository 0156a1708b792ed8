/**
 * L2 end to end: `task_parser` (a FULL run, MERGE into a new table) over L1 tables of 1M tasks,
 * 20k projects, 2k contacts and 1M timelogs, wall time and peak RSS, against the ceiling: the same
 * SQL run by DuckDB alone over the same Parquet files, written to one Parquet file (no Iceberg
 * planning, no schema check, no key validation, no field ids, statistics or manifests, no commit
 * or state), in a process of its own with the same DuckDB settings (bench/l2-ceiling.ts).
 * floe/ceiling = the ceiling's seconds ÷ floe's; both are medians of alternating rounds.
 *
 * The L1 tables are built untimed from the simulator's ground truth with L1's own row encoder
 * (the rows an L1 run would write), straight into Iceberg, to spare the benchmark the API fetch.
 * `FLOE_BENCH_TASKS` scales everything down proportionally.
 */
import { execFile } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseJobParams } from '../src/config/job-params.js';
import { taskSql } from '../src/connectors/wrike/parsers/index.js';
import { sqlIdent } from '../src/duck/session.js';
import { type FieldInput, loadOrCreateTable, SqlCatalog, type Table } from '../src/iceberg/index.js';
import { readManifestEntries, readManifestList } from '../src/iceberg/write/manifest-io.js';
import { runJob } from '../src/job/run-job.js';
import { INGEST_COLUMNS } from '../src/l1/records.js';
import { RowLineEncoder } from '../src/l1/row-line.js';
import { startWrikeSimulator, TASK_OPTIONAL_FIELDS, type WrikeObject } from '../src/sim/wrike/index.js';
import type { BenchFigure } from './run.js';

const exec = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));

const SOURCES: Record<string, { object: WrikeObject; table: string }> = {
  tasks: { object: 'tasks', table: 'staging_tasks' },
  timelogs: { object: 'timelogs', table: 'staging_timelogs' },
  contacts: { object: 'contacts', table: 'staging_contacts' },
  workflows: { object: 'workflows', table: 'staging_workflows' },
  folders: { object: 'folders', table: 'staging_folders' },
  projects: { object: 'projects', table: 'staging_projectsdetails' },
};

/** One L1 table from the simulator's records, encoded as an L1 run encodes them. */
async function l1Table(
  catalog: SqlCatalog,
  scratch: string,
  name: string,
  records: AsyncIterable<Record<string, unknown>>,
): Promise<Table> {
  const encoder = new RowLineEncoder('snake_case', {
    timestamp: new Date().toISOString(),
    runId: 'bench-l1',
  });
  const file = join(scratch, `${name}.ndjson`);
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  let buf = '';
  let rows = 0;
  for await (const r of records) {
    buf += `${encoder.encode(r)}}\n`;
    rows++;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((res) => out.once('drain', () => res()));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise<void>((res) => out.end(() => res()));
  const ingest = new Set<string>(INGEST_COLUMNS.map((c) => c.name));
  const fields: FieldInput[] = [
    ...encoder.fields().filter((f) => !ingest.has(f.name)),
    ...INGEST_COLUMNS.map((c) => ({ name: c.name, type: c.type, required: false })),
  ];
  const t = await loadOrCreateTable(catalog, `wrike_staging.${name}`, { schema: fields });
  await t.append({ ndjson: file }, { expectedRows: rows });
  rmSync(file, { force: true });
  return t;
}

async function dataFiles(catalog: SqlCatalog, t: Table): Promise<string[]> {
  const snap = t.currentSnapshot()!;
  const out: string[] = [];
  for (const m of await readManifestList(catalog.io, snap['manifest-list']))
    for (const e of await readManifestEntries(catalog.io, t.metadata, m))
      if (e.status !== 2) out.push(e.data_file.file_path.replace(/^file:\/\//, ''));
  return out;
}

export async function run(): Promise<BenchFigure[]> {
  const tasks = Number(process.env.FLOE_BENCH_TASKS ?? 1_000_000);
  const projects = Math.max(50, Math.round(tasks / 50));
  const contacts = Math.max(20, Math.round(tasks / 500));
  const dir = mkdtempSync(join(tmpdir(), 'floe-bench-l2-'));
  const scratch = join(dir, 'scratch');
  mkdirSync(join(dir, 'configs', 'l2'), { recursive: true });
  mkdirSync(scratch, { recursive: true });
  writeFileSync(join(dir, 'floe.yaml'), 'environment: bench\nlogs: { format: json, level: warn }\n');
  try {
    // A first (empty) run creates the project's catalog and state databases.
    await runJob(parseJobParams(['--project', dir, '--process-type', 'L2'], {}), {
      logStream: { write: () => true },
    });
    const sim = await startWrikeSimulator({
      tasks,
      projects,
      contacts,
      timelogs: tasks,
      rateLimit: false,
      seed: 3,
    });
    const catalog = new SqlCatalog({
      name: 'floe',
      path: join(dir, '.floe', 'catalog.db'),
      warehouse: join(dir, 'warehouse'),
    });
    const files: Record<string, string[]> = {};
    const t0 = performance.now();
    try {
      for (const [name, s] of Object.entries(SOURCES)) {
        const t = await l1Table(
          catalog,
          scratch,
          s.table,
          sim.records(s.object, s.object === 'tasks' ? { fields: TASK_OPTIONAL_FIELDS } : undefined),
        );
        files[name] = await dataFiles(catalog, t);
      }
    } finally {
      await catalog.close();
      await sim.close();
    }
    process.stderr.write(`  L1 tables built in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    const rounds = Math.max(1, Number(process.env.FLOE_BENCH_ROUNDS ?? 3));
    for (let i = 1; i <= rounds; i++)
      writeFileSync(
        join(dir, 'configs', 'l2', `bench-tasks-${i}.json`),
        JSON.stringify({
          configId: `bench_tasks_${i}`,
          parserName: 'task_parser',
          loadType: 'FULL',
          source: Object.fromEntries(
            Object.entries(SOURCES).map(([name, s]) => [
              name,
              { glueDatabase: 'wrike_staging', glueTable: s.table, fetchMode: 'FULL' },
            ]),
          ),
          destination: {
            glueDatabase: 'wrike_refined',
            glueTable: `tasks_${i}`,
            primaryKey: ['task_id'],
            defaultwriteMode: 'MERGE',
          },
        }),
      );
    const sql = taskSql({
      all: (n) => `all_rows.${sqlIdent(n)}`,
      source: (n) => sqlIdent(n),
      incremental: false,
    });
    const jobFile = join(scratch, 'ceiling.json');
    writeFileSync(jobFile, JSON.stringify({ files, sql, out: join(scratch, 'ceiling.parquet') }));

    // Rounds alternate floe and the ceiling, each in a fresh process, so both see the same
    // machine (a shared one varies by the minute); the figures are the medians.
    const floe: { seconds: number; records: number; peak_rss_mb: number }[] = [];
    const ceiling: { seconds: number; peak_rss_mb: number }[] = [];
    for (let i = 1; i <= rounds; i++) {
      const f = await exec(
        process.execPath,
        ['--import', 'tsx', join(here, 'l2-floe.ts'), dir, `bench_tasks_${i}`],
        {
          maxBuffer: 1 << 20,
          timeout: 30 * 60_000,
        },
      );
      floe.push(JSON.parse(f.stdout));
      const c = await exec(process.execPath, ['--import', 'tsx', join(here, 'l2-ceiling.ts'), jobFile], {
        maxBuffer: 1 << 20,
        timeout: 30 * 60_000,
      });
      ceiling.push(JSON.parse(c.stdout));
      process.stderr.write(
        `  round ${i}: floe ${floe[i - 1]!.seconds.toFixed(2)} s, ceiling ${ceiling[i - 1]!.seconds.toFixed(2)} s\n`,
      );
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const floeS = median(floe.map((x) => x.seconds));
    const ceilingS = median(ceiling.map((x) => x.seconds));
    const records = floe[0]!.records;
    return [
      {
        name: `L2 task_parser ${tasks} tasks, ${tasks} timelogs: floe`,
        value: floeS,
        unit: 's',
        note: `median of ${rounds}`,
      },
      { name: `L2 task_parser ${tasks} tasks: floe rows/s`, value: records / floeS, unit: 'rows/s' },
      {
        name: `L2 task_parser ${tasks} tasks: floe peak RSS`,
        value: Math.max(...floe.map((x) => x.peak_rss_mb)),
        unit: 'MB',
        note: 'max of rounds; target < 500',
      },
      {
        name: `ceiling: the same SQL, DuckDB alone, ${tasks} tasks`,
        value: ceilingS,
        unit: 's',
        note: `median of ${rounds}`,
      },
      {
        name: 'ceiling peak RSS',
        value: Math.max(...ceiling.map((x) => x.peak_rss_mb)),
        unit: 'MB',
      },
      {
        name: 'floe / ceiling (ceiling s ÷ floe s)',
        value: ceilingS / floeS,
        unit: 'x',
        note: 'target ≥ 0.7',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
