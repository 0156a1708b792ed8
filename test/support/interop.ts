/**
 * Interop harness, TypeScript side: runs the independent Iceberg readers/writers (PyIceberg, Spark)
 * in the project venv. See test/interop/verify.py and test/interop/make_tables.py for the job and
 * result formats, and the canonical JSON row format.
 *
 * Provision once with `bash scripts/setup-python.sh` (or point FLOE_PYTHON at a Python that has
 * pyiceberg 0.12 + pyspark 3.5 + Java 17). Missing tooling is an error, never a silent skip.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isInteger, isSafeNumber, parse, stringify } from 'lossless-json';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const INTEROP_DIR = join(REPO_ROOT, 'test', 'interop');

/** First Spark start resolves and downloads ~60 MB of jars; later starts take 5–30 s. */
export const INTEROP_TIMEOUT_MS = 15 * 60_000;

export type Engine = 'pyiceberg' | 'spark';

export interface InteropCatalog {
  /** Catalog name: the `catalog_name` column in the SQLite catalog and the Spark catalog name. */
  readonly name: string;
  /** Absolute path of the SQLite catalog database. */
  readonly db: string;
  /** Absolute path of the warehouse folder. */
  readonly warehouse: string;
}

export type CanonicalValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | CanonicalValue[]
  | { [key: string]: CanonicalValue };
export type CanonicalRow = Record<string, CanonicalValue>;

export interface AggregateExpectation {
  readonly count?: number;
  readonly min?: Record<string, CanonicalValue>;
  readonly max?: Record<string, CanonicalValue>;
  /** Fail on Spark when an aggregate was not answered from manifest stats (Iceberg aggregate push-down). */
  readonly require_pushdown?: boolean;
}

export interface PruningExpectation {
  /** PyIceberg row_filter syntax (also run as a Spark SQL WHERE clause). */
  readonly filter: string;
  readonly expected_count?: number;
  /** PyIceberg only: upper bound on `scan(row_filter).plan_files()`. */
  readonly expected_files_at_most?: number;
}

export interface VerifyTableJob {
  /** `namespace.table`. */
  readonly identifier: string;
  /** Key in the result; default identifier, plus `@<snapshot_id>` for time travel. */
  readonly label?: string;
  /** Per-table engine override (Spark 3.5 cannot read tables with a `time` column). */
  readonly engines?: readonly Engine[];
  /** Absolute path of a canonical-JSON-lines file, see {@link writeExpectedJsonl}. */
  readonly expected_rows?: string;
  readonly snapshot_id?: bigint | number | null;
  readonly aggregates?: AggregateExpectation;
  readonly pruning?: readonly PruningExpectation[];
}

export interface VerifyJob {
  readonly catalog: InteropCatalog;
  readonly engines?: readonly Engine[];
  readonly tables: readonly VerifyTableJob[];
}

export interface EngineAggregates {
  count: number;
  min: Record<string, CanonicalValue>;
  max: Record<string, CanonicalValue>;
  /** Spark only: per query (`count(*)` or column), whether Iceberg answered it from manifest stats. */
  pushed_down?: Record<string, boolean>;
}

export interface EngineResult {
  ok: boolean;
  rows: number | null;
  errors: string[];
  /** PyIceberg only: `scan().plan_files()` count (data files after pruning). */
  files_planned?: number;
  /** PyIceberg only: distinct delete files attached to the planned tasks. */
  delete_files?: number;
  aggregates?: EngineAggregates;
  pruning?: { filter: string; rows: number; files_planned?: number }[];
  seconds?: number;
}

export interface VerifyResult {
  ok: boolean;
  errors: string[];
  timings_s: Partial<Record<'pyiceberg' | 'spark_start' | 'spark', number>>;
  tables: Record<string, Partial<Record<Engine, EngineResult>>>;
}

export type MakeCase =
  | 'pyiceberg_partitioned'
  | 'spark_bucket'
  | 'spark_mor_delete'
  | 'spark_mor_merge'
  | 'spark_schema_evolution';
export const ALL_MAKE_CASES: readonly MakeCase[] = [
  'pyiceberg_partitioned',
  'spark_bucket',
  'spark_mor_delete',
  'spark_mor_merge',
  'spark_schema_evolution',
];

export interface MakeTablesJob {
  readonly catalog: InteropCatalog;
  /** Namespace of the created tables (default `interop`). */
  readonly namespace?: string;
  /** Absolute folder for the expected-rows files. */
  readonly out_dir: string;
  readonly cases?: readonly MakeCase[];
}

export interface MadeTable {
  identifier: string;
  writer: 'pyiceberg' | 'spark';
  /** Canonical JSON lines of the table's current rows. */
  expected_rows: string;
  rows: number;
  /** Oldest first. */
  snapshot_ids: bigint[];
  time_travel: { snapshot_id: bigint; expected_rows: string; rows: number }[];
  aggregates: { count: number; min: Record<string, CanonicalValue>; max: Record<string, CanonicalValue> };
  pruning: { filter: string; expected_count: number; expected_files_at_most: number }[];
  info: Record<string, unknown>;
}

export interface MakeTablesResult {
  ok: boolean;
  errors: string[];
  timings_s: Partial<Record<'pyiceberg' | 'spark_start' | 'spark', number>>;
  tables: Partial<Record<MakeCase, MadeTable>>;
}

/**
 * The interop Python, or an Error explaining how to provision it. Call it in a `beforeAll`: the
 * interop suites must fail, not skip, when the tooling is missing.
 */
export function interopAvailable(): string {
  const fromEnv = process.env.FLOE_PYTHON;
  if (fromEnv) {
    if (!existsSync(fromEnv)) {
      throw new Error(
        `FLOE_PYTHON=${fromEnv} does not exist. Unset it or run \`bash scripts/setup-python.sh\`.`,
      );
    }
    return fromEnv;
  }
  const venvPython = join(REPO_ROOT, '.cache', 'venv', 'bin', 'python');
  if (!existsSync(venvPython)) {
    throw new Error(
      'Interop tooling is not provisioned: run `bash scripts/setup-python.sh` (creates .cache/venv with ' +
        'pyiceberg 0.12 + pyspark 3.5 from test/interop/requirements.txt; Spark also needs Java 17 on PATH), ' +
        'or set FLOE_PYTHON to such a Python.',
    );
  }
  return venvPython;
}

/** JSON numbers: unsafe integers (snapshot ids) become bigint, everything else a JS number. */
function parseNumber(text: string): number | bigint {
  return isInteger(text) && !isSafeNumber(text) ? BigInt(text) : Number(text);
}

export function parseJsonLossless(text: string): unknown {
  return parse(text, null, parseNumber);
}

/** Canonical rows as JSON lines; bigints are written as plain JSON numbers. */
export function writeExpectedJsonl(path: string, rows: readonly CanonicalRow[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const lines = rows.map((r, i) => {
    const text = stringify(r);
    if (text === undefined) throw new Error(`row ${i} is not JSON-serializable`);
    return `${text}\n`;
  });
  writeFileSync(path, lines.join(''));
}

interface RunOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

function tail(text: string, lines = 60): string {
  return text.split('\n').slice(-lines).join('\n');
}

async function runPython(script: string, job: unknown, timeoutMs: number): Promise<RunOutput> {
  const python = interopAvailable();
  const dir = mkdtempSync(join(tmpdir(), 'floe-interop-'));
  const jobPath = join(dir, 'job.json');
  const text = stringify(job, null, 2);
  if (text === undefined) throw new Error('interop job is not JSON-serializable');
  writeFileSync(jobPath, text);
  try {
    return await new Promise<RunOutput>((resolvePromise, reject) => {
      const child = spawn(python, [join(INTEROP_DIR, script), jobPath], {
        cwd: dir, // Spark/Derby scratch files land here
        env: {
          ...process.env,
          FLOE_IVY_CACHE: process.env.FLOE_IVY_CACHE ?? join(REPO_ROOT, '.cache', 'ivy'),
          PYTHONUNBUFFERED: '1',
          PYTHONDONTWRITEBYTECODE: '1',
        },
        // Own process group, so a timeout can end Python and the JVM it started together.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        if (child.pid !== undefined) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            child.kill('SIGKILL');
          }
        }
      }, timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot start ${python} ${script}: ${e.message}`));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        const stderr = Buffer.concat(err).toString('utf8');
        if (timedOut) {
          reject(new Error(`${script} timed out after ${timeoutMs} ms; stderr tail:\n${tail(stderr)}`));
          return;
        }
        resolvePromise({ code, stdout: Buffer.concat(out).toString('utf8'), stderr });
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Exit 0 = all ok, 1 = a check failed (result on stdout), anything else = fatal. */
function parseResult<T>(script: string, run: RunOutput): T {
  if ((run.code === 0 || run.code === 1) && run.stdout.trim() !== '') {
    try {
      return parseJsonLossless(run.stdout) as T;
    } catch (e) {
      throw new Error(
        `${script}: stdout is not JSON (${(e as Error).message}): ${run.stdout.slice(0, 500)}\nstderr tail:\n${tail(run.stderr)}`,
      );
    }
  }
  throw new Error(`${script} failed (exit ${run.code}); stderr tail:\n${tail(run.stderr)}`);
}

/** Read tables with PyIceberg and/or Spark and compare with the expectations (one process, one JVM). */
export async function runVerify(job: VerifyJob, timeoutMs = INTEROP_TIMEOUT_MS): Promise<VerifyResult> {
  return parseResult<VerifyResult>('verify.py', await runPython('verify.py', job, timeoutMs));
}

/** Create tables with PyIceberg and Spark in the given catalog, for floe to read. */
export async function runMakeTables(
  job: MakeTablesJob,
  timeoutMs = INTEROP_TIMEOUT_MS,
): Promise<MakeTablesResult> {
  const result = parseResult<MakeTablesResult>(
    'make_tables.py',
    await runPython('make_tables.py', job, timeoutMs),
  );
  for (const t of Object.values(result.tables)) {
    if (!t) continue;
    t.snapshot_ids = t.snapshot_ids.map((s) => BigInt(s));
    for (const tt of t.time_travel) tt.snapshot_id = BigInt(tt.snapshot_id);
  }
  return result;
}

/** A table's rows as PyIceberg reads them, every value as exact text (see dump_values.py). */
export async function dumpValues(
  catalog: InteropCatalog,
  table: string,
  timeoutMs = INTEROP_TIMEOUT_MS,
): Promise<{ schema: Record<string, string>; rows: Record<string, unknown>[] }> {
  const run = await runPython('dump_values.py', { catalog, table }, timeoutMs);
  if (run.code !== 0)
    throw new Error(`dump_values.py failed (exit ${run.code}); stderr tail:\n${tail(run.stderr)}`);
  return JSON.parse(run.stdout) as { schema: Record<string, string>; rows: Record<string, unknown>[] };
}

export interface PyIcebergLayout {
  sort_order: {
    order_id: number;
    fields: { source_id: number; transform: string; direction: string; null_order: string }[];
  };
  files: {
    path: string;
    records: number;
    size: number;
    sort_order_id: number | null;
    /** The key column's bounds in the manifest, as text. */
    key_lower: string | null;
    key_upper: string | null;
  }[];
  /** The `key` column of every row, as text. */
  keys: string[];
}

/** A table's sort order, data files and key column as PyIceberg reads them (see table_layout.py). */
export async function pyicebergLayout(
  catalog: InteropCatalog,
  table: string,
  key: string,
  timeoutMs = INTEROP_TIMEOUT_MS,
): Promise<PyIcebergLayout> {
  const run = await runPython('table_layout.py', { catalog, table, key }, timeoutMs);
  if (run.code !== 0)
    throw new Error(`table_layout.py failed (exit ${run.code}); stderr tail:\n${tail(run.stderr)}`);
  return JSON.parse(run.stdout) as PyIcebergLayout;
}

/** One line per failing table/engine, for assertion messages. */
export function describeFailures(result: VerifyResult): string {
  const lines: string[] = [...result.errors];
  for (const [label, engines] of Object.entries(result.tables)) {
    for (const [engine, r] of Object.entries(engines)) {
      if (r && !r.ok) lines.push(`${label} [${engine}]: ${r.errors.join('; ')}`);
    }
  }
  return lines.join('\n');
}

/**
 * Writes `rows` as a plain Parquet file (no field ids) at `path` and adds it to `table` with
 * PyIceberg's `Table.add_files` (see add_files.py).
 */
export async function pyicebergAddFiles(
  catalog: InteropCatalog,
  table: string,
  path: string,
  rows: Record<string, unknown>[],
  types: Record<string, 'int64' | 'string'>,
  timeoutMs = INTEROP_TIMEOUT_MS,
): Promise<{ added: number; snapshot_id: string }> {
  const run = await runPython('add_files.py', { catalog, table, path, rows, types }, timeoutMs);
  if (run.code !== 0)
    throw new Error(`add_files.py failed (exit ${run.code}); stderr tail:\n${tail(run.stderr)}`);
  return JSON.parse(run.stdout) as { added: number; snapshot_id: string };
}
