/**
 * Planned reads handed to DuckDB as SQL: the live rows of a scan (position deletes applied), or
 * the net changes between two snapshots (changes.ts). The SQL reads local copies of the data
 * files by Iceberg field id, so DuckDB does the reading, filtering and joining in bulk and no row
 * passes through JavaScript. The files stay available until `release()`.
 *
 * By default helper tables (delete positions) are TEMP tables of the given connection; with a
 * `helpers` prefix they are plain tables there, so the SQL can back a view other connections of
 * the process read.
 */
import { type Duck, sqlIdent } from '../../duck/session.js';
import { FloeError, isFloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import type { Schema } from '../spec/schema.js';
import { duckType } from '../write/duck-types.js';
import type { ChangePlan } from './changes.js';
import type { Expr } from './expr.js';
import { type HelperTables, scanQuery } from './reader.js';
import type { FileScanTask, ScanPlan } from './scan.js';

export interface DuckRelation {
  /** A SELECT of every schema column. */
  readonly sql: string;
  /** Data files read. */
  readonly files: number;
  /** The SQL compares the added rows with removed ones (changes): worth materialising once. */
  readonly compares?: boolean;
  /** Drops helper tables and releases the local copies of the files. */
  release(): Promise<void>;
}

export interface RelationOptions {
  /** Quoted qualified prefix for helper tables (see the file comment). */
  readonly helpers?: string;
  /** A residual row filter (the scan's files were already pruned with it). */
  readonly filter?: Expr;
  /** The table's column names never changed meaning: files may be read by name (by-name.ts). */
  readonly byName?: boolean;
}

/** The rows of a planned scan. */
export async function scanRelation(
  duck: Duck,
  io: FileIO,
  plan: ScanPlan,
  table: string,
  opts: RelationOptions = {},
): Promise<DuckRelation> {
  const files = new LocalFiles(io, table);
  const created: string[] = [];
  try {
    const sql = await tasksQuery(duck, files, plan.schema, plan.tasks, opts, created);
    return relation(duck, files, created, sql, plan.tasks.length);
  } catch (e) {
    await cleanUp(duck, files, created);
    throw e;
  }
}

/**
 * The net changes of a ChangePlan: rows of the added files that no removed file holds equally
 * (compared on every column but `ignore`). A row carried over unchanged by a rewrite is in both
 * and drops out; a new or changed row remains. A `filter` keeps only the changed rows matching it.
 */
export async function changesRelation(
  duck: Duck,
  io: FileIO,
  plan: ChangePlan,
  table: string,
  opts: RelationOptions & { readonly ignore?: readonly string[] } = {},
): Promise<DuckRelation> {
  const files = new LocalFiles(io, table);
  const created: string[] = [];
  try {
    const added = await tasksQuery(duck, files, plan.schema, plan.added, opts, created);
    let sql = added;
    if (plan.added.length > 0 && plan.removed.length > 0) {
      const removed = await tasksQuery(
        duck,
        files,
        plan.schema,
        plan.removed,
        { ...(opts.helpers ? { helpers: opts.helpers } : {}), ...(opts.byName ? { byName: true } : {}) },
        created,
      );
      const ignore = new Set(opts.ignore ?? []);
      const same = plan.schema.fields
        .filter((f) => !ignore.has(f.name))
        .map((f) => `a.${sqlIdent(f.name)} IS NOT DISTINCT FROM r.${sqlIdent(f.name)}`);
      sql = `SELECT a.* FROM (${added}) a ANTI JOIN (${removed}) r ON ${same.length ? same.join(' AND ') : 'TRUE'}`;
    }
    const compares = plan.added.length > 0 && plan.removed.length > 0;
    return { ...relation(duck, files, created, sql, plan.added.length + plan.removed.length), compares };
  } catch (e) {
    await cleanUp(duck, files, created);
    throw e;
  }
}

/** An empty SELECT with the schema's columns and types. */
export function emptyQuery(schema: Schema): string {
  const cols = schema.fields.map((f) => `CAST(NULL AS ${duckType(f.type)}) AS ${sqlIdent(f.name)}`);
  return `SELECT ${cols.join(', ')} WHERE FALSE`;
}

async function tasksQuery(
  duck: Duck,
  files: LocalFiles,
  schema: Schema,
  tasks: readonly FileScanTask[],
  opts: RelationOptions,
  created: string[],
): Promise<string> {
  if (tasks.length === 0) return emptyQuery(schema);
  const local = await files.copies(tasks);
  const helpers: HelperTables = {
    ...(opts.helpers ? { prefix: opts.helpers } : {}),
    created,
    ...(opts.byName ? { byName: true } : {}),
  };
  const plan: ScanPlan = { snapshot: undefined, schema, tasks: [...tasks] };
  try {
    return await scanQuery(duck, plan, local, opts.filter, helpers);
  } catch (e) {
    if (isFloeError(e)) throw e;
    throw new FloeError('data-invalid', `cannot read table data: ${(e as Error).message}`, {
      context: { table: files.table },
      cause: e,
    });
  }
}

function relation(
  duck: Duck,
  files: LocalFiles,
  created: string[],
  sql: string,
  count: number,
): DuckRelation {
  let released = false;
  return {
    sql,
    files: count,
    release: async () => {
      if (released) return;
      released = true;
      await cleanUp(duck, files, created);
    },
  };
}

async function cleanUp(duck: Duck, files: LocalFiles, created: string[]): Promise<void> {
  for (const t of created.splice(0)) await duck.run(`DROP TABLE IF EXISTS ${t}`).catch(() => {});
  await files.release();
}

/** Local copies of data and delete files, each made once, all released together. */
class LocalFiles {
  private readonly paths = new Map<string, string>();
  private readonly held: { release(): Promise<void> }[] = [];

  constructor(
    private readonly io: FileIO,
    readonly table: string,
  ) {}

  async copies(tasks: readonly FileScanTask[]): Promise<Map<string, string>> {
    for (const t of tasks) {
      for (const f of [t.file, ...t.deletes, ...(t.onlyDeletedBy ?? [])]) {
        if (this.paths.has(f.file_path)) continue;
        let c: { path: string; release(): Promise<void> };
        try {
          c = await this.io.localCopy(f.file_path);
        } catch (e) {
          if (isFloeError(e, 'not-found'))
            throw new FloeError(
              'not-found',
              `data file listed in the table's manifests is missing: ${f.file_path}`,
              {
                context: { table: this.table, file: f.file_path },
                cause: e,
              },
            );
          throw e;
        }
        this.held.push(c);
        this.paths.set(f.file_path, c.path);
      }
    }
    return this.paths;
  }

  async release(): Promise<void> {
    await Promise.all(this.held.splice(0).map((c) => c.release()));
  }
}
