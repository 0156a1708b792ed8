/**
 * Reads planned files with DuckDB. Columns are projected by Iceberg field id through
 * read_parquet's `schema` option, so files written before a rename or an added column read
 * under the current names (missing columns read as null). Position deletes are applied with an
 * anti-join on (file, row position). Values come back in the canonical JSON form.
 */
import { randomUUID } from 'node:crypto';
import { type Duck, sqlIdent, sqlString, withDuck } from '../../duck/session.js';
import { FloeError, isFloeError } from '../../errors.js';
import type { FileIO } from '../io/file-io.js';
import { uriToPath } from '../io/local.js';
import type { Schema } from '../spec/schema.js';
import {
  type IcebergType,
  isList,
  isMap,
  isStruct,
  type NestedField,
  type PrimitiveType,
} from '../spec/types.js';
import { physicalToCanonical } from '../spec/values.js';
import { parseDuckValue } from '../write/stats.js';
import { filesMatchSchema } from './by-name.js';
import { exprToSql } from './expr.js';
import { parquetSource } from './nested-ids.js';
import type { ScanOptions, ScanPlan } from './scan.js';

export type ReadRow = Record<string, unknown>;

export async function readRows(
  io: FileIO,
  plan: ScanPlan,
  opts: ScanOptions,
  table: string,
): Promise<ReadRow[]> {
  const out: ReadRow[] = [];
  for await (const chunk of streamRows(io, plan, opts, table)) out.push(...chunk);
  return out;
}

export async function* streamRows(
  io: FileIO,
  plan: ScanPlan,
  opts: ScanOptions,
  table: string,
): AsyncGenerator<ReadRow[]> {
  const fields = selectFields(plan.schema, opts.select, table);
  if (plan.tasks.length === 0) return;
  const copies: { release(): Promise<void> }[] = [];
  const local = new Map<string, string>();
  try {
    for (const t of plan.tasks) {
      for (const f of [t.file, ...t.deletes, ...(t.onlyDeletedBy ?? [])]) {
        if (local.has(f.file_path)) continue;
        let c: { path: string; release(): Promise<void> };
        try {
          c = await io.localCopy(f.file_path);
        } catch (e) {
          if (isFloeError(e, 'not-found')) {
            throw new FloeError(
              'not-found',
              `data file listed in the table's manifests is missing: ${f.file_path}`,
              {
                context: { table, file: f.file_path },
                cause: e,
              },
            );
          }
          throw e;
        }
        copies.push(c);
        local.set(f.file_path, c.path);
      }
    }
    const convert = rowConverter(fields);
    const chunks: ReadRow[][] = [];
    // DuckDB connections are scoped; collect chunks inside, yield outside.
    await withDuck(async (duck) => {
      const sql = await buildQuery(duck, plan, fields, local, opts);
      for await (const rows of duck.stream(sql)) chunks.push(rows.map(convert));
    }).catch((e) => {
      if (isFloeError(e)) throw e;
      throw new FloeError('data-invalid', `cannot read table data: ${(e as Error).message}`, {
        context: { table },
        cause: e,
      });
    });
    yield* chunks;
  } finally {
    await Promise.all(copies.map((c) => c.release()));
  }
}

/** Turns DuckDB JSON rows of `fields` into canonical values (see spec/values.ts). */
export function rowConverter(fields: readonly NestedField[]): (r: Record<string, unknown>) => ReadRow {
  const conv = fields.map((f) => [f.name, converter(f.type)] as const);
  return (r) => {
    const o: ReadRow = {};
    for (const [name, c] of conv) o[name] = c(r[name]);
    return o;
  };
}

export function selectFields(
  schema: Schema,
  select: readonly string[] | undefined,
  table: string,
): NestedField[] {
  if (!select) return [...schema.fields];
  return select.map((name) => {
    const f = schema.fields.find((x) => x.name === name);
    if (!f) {
      throw new FloeError(
        'not-found',
        `column "${name}" does not exist; columns are: ${schema.fields.map((x) => x.name).join(', ')}`,
        {
          context: { table },
        },
      );
    }
    return f;
  });
}

/**
 * SQL reading a planned scan's rows (every schema column; position deletes applied; the plan's
 * filter as a residual), over local copies of its files (`local`: file URI → local path).
 * The delete positions go into TEMP tables of `duck`'s connection, unless `helpers` names where
 * to create plain tables instead (a view other connections read; the caller drops them).
 */
export async function scanQuery(
  duck: Duck,
  plan: ScanPlan,
  local: Map<string, string>,
  filter: ScanOptions['filter'],
  helpers?: HelperTables,
): Promise<string> {
  return buildQuery(duck, plan, [...plan.schema.fields], local, { ...(filter ? { filter } : {}) }, helpers);
}

/** Where a query's helper tables go when they must outlive the connection (see scanQuery). */
export interface HelperTables {
  /** Quoted qualified prefix, e.g. `"db"."main"`; tables are created as `<prefix>.<name>` (absent: TEMP). */
  readonly prefix?: string;
  /** Receives the qualified name of every table created, for the caller to drop. */
  readonly created: string[];
  /** The table's names never changed meaning (by-name.ts `namesStable`): files may be read by name. */
  readonly byName?: boolean;
}

async function buildQuery(
  duck: Duck,
  plan: ScanPlan,
  fields: NestedField[],
  local: Map<string, string>,
  opts: ScanOptions,
  helpers?: HelperTables,
): Promise<string> {
  // Project every column the filter may touch too: read all schema columns, select later.
  const all = plan.schema.fields;
  const files = plan.tasks.map((t) => local.get(t.file.file_path)!);
  const paths = files.map(sqlString);
  const hasDeletes = plan.tasks.some((t) => t.deletes.length > 0);
  const restricted = plan.tasks.filter((t) => t.onlyDeletedBy !== undefined);
  const positions = hasDeletes || restricted.length > 0;
  // By name when that is provably the same as by field id (see by-name.ts): DuckDB then knows
  // the files' row counts when it plans joins over them.
  const byName = helpers?.byName === true && (await filesMatchSchema(duck, files, plan.schema));
  const ordered = opts.fileOrder === true;
  const extra = positions || ordered ? ', filename = true, file_row_number = true' : '';
  const source = byName
    ? `read_parquet([${paths.join(', ')}]${extra})`
    : await parquetSource(duck, files, all, extra, plan.nameMapping);
  const conditions: string[] = [];
  const create = helpers?.prefix ? 'CREATE TABLE' : 'CREATE TEMP TABLE';
  /** A table of (file_path, pos) from delete files, with the data files' local paths beside it. */
  const positionsTable = async (deleteFiles: string[]): Promise<string | undefined> => {
    const base = `deletes_${randomUUID().replace(/-/g, '')}`;
    const name = helpers?.prefix ? `${helpers.prefix}.${base}` : base;
    await duck.run(
      `${create} ${name} AS SELECT file_path, pos FROM read_parquet([${deleteFiles.map(sqlString).join(', ')}])`,
    );
    helpers?.created.push(name);
    // Delete files name data files by URI ("file:/x", "file:///x" or "/x"); match on local path.
    const rows = await duck.json(`SELECT DISTINCT file_path FROM ${name}`);
    const mapping = rows.map((r) => {
      const uri = String(r.file_path);
      let path: string;
      try {
        path = uriToPath(uri);
      } catch {
        path = uri;
      }
      return `(${sqlString(uri)}, ${sqlString(local.get(uri) ?? path)})`;
    });
    if (!mapping.length) return undefined;
    await duck.run(
      `${create} ${name}_paths AS SELECT * FROM (VALUES ${mapping.join(', ')}) AS v(file_path, local_path)`,
    );
    helpers?.created.push(`${name}_paths`);
    return name;
  };
  const at = (name: string) =>
    `EXISTS (SELECT 1 FROM ${name} x JOIN ${name}_paths p USING (file_path) WHERE p.local_path = d.filename AND x.pos = d.file_row_number)`;
  if (hasDeletes) {
    const name = await positionsTable([
      ...new Set(plan.tasks.flatMap((t) => t.deletes.map((x) => local.get(x.file_path)!))),
    ]);
    if (name) conditions.push(`NOT ${at(name)}`);
  }
  if (restricted.length > 0) {
    const only = [
      ...new Set(restricted.flatMap((t) => (t.onlyDeletedBy ?? []).map((x) => local.get(x.file_path)!))),
    ];
    const name = only.length ? await positionsTable(only) : undefined;
    const restrictedFiles = restricted.map((t) => sqlString(local.get(t.file.file_path)!)).join(', ');
    conditions.push(`(d.filename NOT IN (${restrictedFiles})${name ? ` OR ${at(name)}` : ''})`);
  }
  const from = `${source} AS d${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`;
  const filter = opts.filter ? exprToSql(plan.schema, opts.filter) : undefined;
  const whereSql = filter ? (from.includes(' WHERE ') ? ` AND ${filter}` : ` WHERE ${filter}`) : '';
  const cols = fields.map((f) => outputExpr(f)).join(', ');
  const order = ordered ? ' ORDER BY d.filename, d.file_row_number' : '';
  const limit = opts.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(opts.limit))}` : '';
  const offset = opts.offset ? ` OFFSET ${Math.max(0, Math.floor(opts.offset))}` : '';
  return `SELECT ${cols} FROM ${from}${whereSql}${order}${limit}${offset}`;
}

/** Binary has no JSON form; read it as hex. Other types convert in JS. */
function outputExpr(f: NestedField): string {
  const c = `d.${sqlIdent(f.name)}`;
  const bytes = f.type === 'binary' || (typeof f.type === 'string' && f.type.startsWith('fixed'));
  return `${bytes ? `lower(hex(${c}))` : c} AS ${sqlIdent(f.name)}`;
}

type Conv = (v: unknown) => unknown;

/** DuckDB JSON value → canonical value, per Iceberg type. */
function converter(t: IcebergType): Conv {
  if (isStruct(t)) {
    const fs = t.fields.map((f) => [f.name, converter(f.type)] as const);
    return (v) => {
      if (v === null || v === undefined) return null;
      const o = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [n, c] of fs) out[n] = c(o[n]);
      return out;
    };
  }
  if (isList(t)) {
    const c = converter(t.element);
    return (v) => (v === null || v === undefined ? null : (v as unknown[]).map(c));
  }
  if (isMap(t)) {
    const k = converter(t.key);
    const val = converter(t.value);
    return (v) => {
      if (v === null || v === undefined) return null;
      const entries = Array.isArray(v)
        ? (v as { key: unknown; value: unknown }[]).map((e) => [e.key, e.value] as const)
        : Object.entries(v as object);
      return entries.map(([a, b]) => [k(a), val(b)]);
    };
  }
  const p = t as PrimitiveType;
  switch (p) {
    case 'boolean':
    case 'int':
    case 'string':
    case 'uuid':
    case 'binary':
      return (v) => (v === undefined ? null : v);
    case 'long':
      return (v) => (v === null || v === undefined ? null : BigInt(v as string));
    case 'float':
    case 'double':
      return (v) => {
        if (v === null || v === undefined) return null;
        if (typeof v === 'number') return physicalToCanonical(p, v);
        const n = Number(v);
        return physicalToCanonical(
          p,
          Number.isNaN(n)
            ? /^-inf/i.test(String(v))
              ? -Infinity
              : /^inf/i.test(String(v))
                ? Infinity
                : NaN
            : n,
        );
      };
    default:
      return (v) => {
        if (v === null || v === undefined) return null;
        if (p.startsWith('decimal') || p.startsWith('fixed')) return String(v);
        return physicalToCanonical(p, parseDuckValue(p, String(v)));
      };
  }
}
