/**
 * The process's DuckDB: one in-memory instance (created on first use), connections handed out
 * per operation. DuckDB does the bulk work — parsing staged rows, writing Parquet with field ids
 * and statistics, reading Parquet by field id, running L2 SQL — so JavaScript stays off the
 * per-value path.
 */
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, JsonDuckDBValueConverter } from '@duckdb/node-api';

let instance: Promise<DuckDBInstance> | undefined;
/** The memory limit the instance was created with, as configured (`256MB`). */
let instanceMemoryLimit = '256MB';
/** Connections in use, so a stopping run can interrupt DuckDB work in flight. */
const active = new Set<DuckDBConnection>();
let scratch: string | undefined;

/**
 * Where writers stage their temporary files (a run points it at its project's `.floe/tmp/<run>`,
 * which is removed with the run, or by the next run if this one is killed). Default: the OS temp
 * folder.
 */
export function setScratchDir(dir: string | undefined): void {
  scratch = dir;
}

export function scratchDir(): string {
  return scratch ?? tmpdir();
}

/**
 * DuckDB's spill folder: one per process (DuckDB fixes it when the instance starts), named by
 * pid so a later process can tell a dead one's leftovers (see removeDeadSpillDirs).
 */
export const SPILL_DIR_PREFIX = 'floe-duckdb-';

/** The folder the spill folder goes in; default the OS temp folder. */
let spillParent: string | undefined;
/** The spill parent the running instance was created with. */
let instanceSpillParent: string | undefined;

/**
 * Puts DuckDB's spill folder (`<parent>/floe-duckdb-<pid>`) in `parent` — a local run points it
 * at its project's `.floe/tmp`, so big sorts spill on the project's disk, next to the data, and
 * not into a small OS temp partition. DuckDB fixes the folder when the instance starts and cannot
 * move it once used, so an idle instance that spills elsewhere is closed (an idle instance holds
 * nothing: connections and their temp tables end with each unit of work) and the next use starts
 * one here. Returns false when an instance busy elsewhere has to keep its folder.
 */
export async function setSpillParent(parent: string | undefined): Promise<boolean> {
  spillParent = parent;
  if (instance === undefined || instanceSpillParent === parent) return true;
  return closeIdleInstance();
}

/** This process's spill folder, as the running instance (or else the next one) uses it. */
export function spillDir(): string {
  const parent = instance ? instanceSpillParent : spillParent;
  return join(parent ?? tmpdir(), `${SPILL_DIR_PREFIX}${process.pid}`);
}

/**
 * A run that pointed the spill folder at `parent` is ending (and the folder may go with its
 * project): the default comes back, and the instance spilling there is closed when idle, its
 * spill folder removed. Returns whether it was closed.
 */
export async function releaseSpillParent(parent: string): Promise<boolean> {
  if (spillParent === parent) spillParent = undefined;
  if (!instance || instanceSpillParent !== parent) return false;
  return closeIdleInstance();
}

async function closeIdleInstance(): Promise<boolean> {
  if (!instance || active.size > 0) return false;
  const pending = instance;
  const dir = spillDir();
  instance = undefined;
  instanceSpillParent = undefined;
  (await pending).closeSync();
  await rm(dir, { recursive: true, force: true });
  return true;
}

/** Interrupts every DuckDB statement running now (they fail with an "Interrupted" error). */
export function interruptAll(): number {
  for (const c of active) c.interrupt();
  return active.size;
}

async function getInstance(): Promise<DuckDBInstance> {
  instance ??= createInstance();
  return instance;
}

async function createInstance(): Promise<DuckDBInstance> {
  instanceSpillParent = spillParent;
  // DuckDB creates the spill folder itself but not its parents.
  if (spillParent) mkdirSync(spillParent, { recursive: true });
  instanceMemoryLimit = process.env.FLOE_DUCKDB_MEMORY ?? '256MB';
  const db = await DuckDBInstance.create(':memory:', {
    // Bound memory so big writes spill instead of growing the process without limit.
    memory_limit: instanceMemoryLimit,
    // Large sorts and MERGE staging spill here instead of growing the process.
    temp_directory: join(spillParent ?? tmpdir(), `${SPILL_DIR_PREFIX}${process.pid}`),
    threads:
      process.env.FLOE_DUCKDB_THREADS ??
      String(Math.max(1, Math.min(4, (await import('node:os')).availableParallelism()))),
    preserve_insertion_order: 'false',
    allocator_flush_threshold: '32MB',
    // DuckDB keeps the bytes of the Parquet files it reads in its buffer pool. floe reads local
    // files only (S3 objects are downloaded first), which the OS caches anyway, and a sorted
    // write reads each of its scratch files once: the cache only added resident memory (a sorted
    // write of 500k Wrike tasks peaked at 465–482 MB with it, 362–400 MB without).
    enable_external_file_cache: 'false',
  });
  // Timestamps with time zone are written and read in UTC, whatever the machine's zone
  // (the setting lives in the icu extension, which must be loaded first).
  const conn = await db.connect();
  try {
    await conn.run('LOAD icu');
    await conn.run("SET GLOBAL TimeZone = 'UTC'");
  } finally {
    conn.closeSync();
  }
  return db;
}

export type Row = Record<string, unknown>;

/** A connection for one unit of work; closed when `fn` settles. */
export async function withDuck<T>(fn: (duck: Duck) => Promise<T>): Promise<T> {
  const conn = await (await getInstance()).connect();
  active.add(conn);
  try {
    return await fn(new Duck(conn));
  } finally {
    active.delete(conn);
    conn.closeSync();
  }
}

export class Duck {
  constructor(readonly connection: DuckDBConnection) {}

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** Rows as JSON-friendly objects (bigints and decimals as strings, timestamps as text). */
  async json(sql: string): Promise<Row[]> {
    const r = await this.connection.runAndReadAll(sql);
    return r.getRowObjectsJson() as Row[];
  }

  /** Rows as JS values (bigint for BIGINT, DuckDB value objects for nested types). */
  async rows(sql: string): Promise<Row[]> {
    const r = await this.connection.runAndReadAll(sql);
    return r.getRowObjects() as Row[];
  }

  /** Streams rows in chunks so a large result never sits in memory at once. */
  async *stream(sql: string): AsyncGenerator<Row[]> {
    const result = await this.connection.stream(sql);
    const names = result.deduplicatedColumnNames();
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const cols = chunk.convertColumns(JsonDuckDBValueConverter);
      const out: Row[] = new Array(chunk.rowCount);
      for (let r = 0; r < chunk.rowCount; r++) {
        const row: Row = {};
        for (let c = 0; c < names.length; c++) row[names[c]!] = cols[c]![r];
        out[r] = row;
      }
      yield out;
    }
  }
}

/**
 * Runs `fn` with settings changed for this connection only (`SET SESSION`), then puts the
 * instance's values back. `RESET SESSION`, not `RESET`: a plain RESET of a setting such as
 * preserve_insertion_order resets the instance's global value, for every connection.
 */
export async function withSessionSettings<T>(
  duck: Duck,
  settings: Record<string, string>,
  fn: () => Promise<T>,
): Promise<T> {
  const names = Object.keys(settings);
  for (const name of names) await duck.run(`SET SESSION ${name} = ${settings[name]}`);
  let failed = false;
  try {
    return await fn();
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    // After a failure (an interrupted statement, say) the failure is what the caller hears.
    for (const name of names)
      await duck.run(`RESET SESSION ${name}`).catch((e) => {
        if (!failed) throw e;
      });
  }
}

/**
 * Hands the memory DuckDB has freed back to the operating system now. DuckDB's allocator
 * (jemalloc) keeps freed pages for 5 seconds before returning them, so a run of statements that
 * each allocate and free a lot piles up resident memory that no statement uses: a sorted write of
 * 500k Wrike tasks, range after range, held 400–460 MB resident while DuckDB counted ~100 MB in
 * use. Setting the memory limit (to the value it has) makes DuckDB purge its allocator's arenas
 * (measured: 349 MB resident to 97 MB, in about 50 ms); nothing else changes.
 */
export async function releaseFreedMemory(duck: Duck): Promise<void> {
  await duck.run(`SET memory_limit = ${sqlString(instanceMemoryLimit)}`);
}

/** DuckDB's memory limit in bytes, as the instance reports it (`244.1 MiB` for 256MB). */
export async function memoryLimitBytes(duck: Duck): Promise<number> {
  const [r] = await duck.json("SELECT current_setting('memory_limit') AS m");
  return parseByteSize(String(r?.m ?? ''));
}

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  bytes: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** `244.1 MiB`, `1GB`, `512 bytes` → bytes; NaN when it is not a size. */
export function parseByteSize(s: string): number {
  const m = /^\s*([\d.]+)\s*([a-z]*)\s*$/i.exec(s);
  if (!m) return Number.NaN;
  const unit = BYTE_UNITS[(m[2] || 'b').toLowerCase()];
  return unit === undefined ? Number.NaN : Number(m[1]) * unit;
}

/** SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** SQL identifier, always quoted (names come from configs and APIs). */
export function sqlIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}
