/**
 * Row filters for scans: a small expression tree, pruning against partition tuples and column
 * bounds (inclusive: a file is skipped only when it provably holds no matching row), and the
 * same expression rendered as SQL for the residual filter DuckDB applies to the rows read.
 */
import { sqlIdent, sqlString } from '../../duck/session.js';
import { FloeError } from '../../errors.js';
import { deserializeBound } from '../spec/bounds.js';
import type { DataFile } from '../spec/manifest.js';
import type { PartitionField } from '../spec/partition.js';
import { findField, type Schema } from '../spec/schema.js';
import { applyTransform } from '../spec/transforms.js';
import { isPrimitive, type PrimitiveType } from '../spec/types.js';
import { toCanonical, toPhysical } from '../spec/values.js';
import { duckType } from '../write/duck-types.js';
import { compare } from '../write/partition-summary.js';

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type Expr =
  | { readonly op: 'and' | 'or'; readonly args: readonly Expr[] }
  | { readonly op: 'not'; readonly arg: Expr }
  | { readonly op: CompareOp; readonly column: string; readonly value: unknown }
  | { readonly op: 'in'; readonly column: string; readonly values: readonly unknown[] }
  | { readonly op: 'is-null' | 'not-null'; readonly column: string };

export const where = {
  eq: (column: string, value: unknown): Expr => ({ op: '=', column, value }),
  ne: (column: string, value: unknown): Expr => ({ op: '!=', column, value }),
  lt: (column: string, value: unknown): Expr => ({ op: '<', column, value }),
  lte: (column: string, value: unknown): Expr => ({ op: '<=', column, value }),
  gt: (column: string, value: unknown): Expr => ({ op: '>', column, value }),
  gte: (column: string, value: unknown): Expr => ({ op: '>=', column, value }),
  in: (column: string, values: readonly unknown[]): Expr => ({ op: 'in', column, values }),
  isNull: (column: string): Expr => ({ op: 'is-null', column }),
  notNull: (column: string): Expr => ({ op: 'not-null', column }),
  and: (...args: Expr[]): Expr => ({ op: 'and', args }),
  or: (...args: Expr[]): Expr => ({ op: 'or', args }),
  not: (arg: Expr): Expr => ({ op: 'not', arg }),
};

function column(schema: Schema, name: string): { id: number; type: PrimitiveType } {
  const f = findField(schema, name);
  if (!f || !isPrimitive(f.type)) {
    throw new FloeError('data-invalid', `filter column "${name}" is not a primitive column of the table`, {
      context: { column: name },
    });
  }
  return { id: f.id, type: f.type };
}

/** SQL for the residual filter (column names quoted, literals cast to the column's type). */
export function exprToSql(schema: Schema, e: Expr): string {
  switch (e.op) {
    case 'and':
    case 'or':
      return e.args.length === 0
        ? e.op === 'and'
          ? 'TRUE'
          : 'FALSE'
        : `(${e.args.map((a) => exprToSql(schema, a)).join(` ${e.op.toUpperCase()} `)})`;
    case 'not':
      return `(NOT ${exprToSql(schema, e.arg)})`;
    case 'is-null':
    case 'not-null':
      column(schema, e.column);
      return `(${colSql(e.column)} IS ${e.op === 'is-null' ? '' : 'NOT '}NULL)`;
    case 'in': {
      const c = column(schema, e.column);
      return `(${colSql(e.column)} IN (${e.values.map((v) => literal(c.type, v)).join(', ')}))`;
    }
    default: {
      const c = column(schema, e.column);
      return `(${colSql(e.column)} ${e.op === '!=' ? '<>' : e.op} ${literal(c.type, e.value)})`;
    }
  }
}

function colSql(name: string): string {
  return name.split('.').map(sqlIdent).join('.');
}

function literal(t: PrimitiveType, v: unknown): string {
  const canonical = toCanonical(t, v);
  const text = t === 'binary' ? `\\x${String(canonical).match(/../g)?.join('\\x') ?? ''}` : String(canonical);
  return `CAST(${sqlString(text)} AS ${duckType(t)})`;
}

type Verdict = boolean; // false = provably no match; true = might match

/** Might `file` hold a row matching `e`? Uses value/null counts and lower/upper bounds. */
export function fileMightMatch(schema: Schema, file: DataFile, e: Expr): Verdict {
  switch (e.op) {
    case 'and':
      return e.args.every((a) => fileMightMatch(schema, file, a));
    case 'or':
      return e.args.length === 0 || e.args.some((a) => fileMightMatch(schema, file, a));
    case 'not':
      return true; // bounds cannot prove a negation false cheaply; keep the file
    default:
      break;
  }
  const c = column(schema, e.column);
  const nulls = lookup(file.null_value_counts, c.id);
  const values = lookup(file.value_counts, c.id);
  if (e.op === 'is-null') return nulls === undefined || nulls > 0n;
  const allNull = nulls !== undefined && values !== undefined && nulls === values;
  if (e.op === 'not-null') return !allNull;
  if (allNull) return false;
  const lo = lookup(file.lower_bounds, c.id);
  const hi = lookup(file.upper_bounds, c.id);
  if (c.type === 'string' || c.type === 'binary') {
    // Truncated string bounds are prefixes; compare only when safe (=, in against full bounds).
    return inRange(c.type, e, lo, hi, true);
  }
  return inRange(c.type, e, lo, hi, false);
}

function inRange(
  t: PrimitiveType,
  e: Expr,
  lo: Buffer | undefined,
  hi: Buffer | undefined,
  truncated: boolean,
): boolean {
  const lower = lo === undefined ? undefined : deserializeBound(t, lo);
  const upper = hi === undefined ? undefined : deserializeBound(t, hi);
  const test = (op: CompareOp, v: unknown): boolean => {
    const x = toPhysical(t, v);
    const geLower = lower === undefined || compare(x, lower) >= 0;
    const leUpper = upper === undefined || compare(x, upper) <= 0;
    switch (op) {
      case '=':
        return geLower && leUpper;
      case '<':
        return lower === undefined || compare(lower, x) < 0;
      case '<=':
        return lower === undefined || compare(lower, x) <= 0;
      case '>':
        return upper === undefined || truncated || compare(upper, x) > 0;
      case '>=':
        return upper === undefined || truncated || compare(upper, x) >= 0;
      default:
        return true;
    }
  };
  if (e.op === 'in') return e.values.some((v) => test('=', v));
  if ('value' in e) return test(e.op as CompareOp, e.value);
  return true;
}

function lookup<V>(kvs: { key: number; value: V }[] | null | undefined, id: number): V | undefined {
  if (!kvs) return undefined;
  for (const kv of kvs) if (kv.key === id) return kv.value;
  return undefined;
}

/**
 * Might a file with this partition tuple hold a matching row? Projects the predicate through
 * each partition transform (inclusive projection): order-preserving transforms keep range
 * predicates (with < relaxed to <=), bucket keeps only = and in.
 */
export function partitionMightMatch(
  schema: Schema,
  fields: readonly PartitionField[],
  partition: Record<string, unknown>,
  e: Expr,
): boolean {
  switch (e.op) {
    case 'and':
      return e.args.every((a) => partitionMightMatch(schema, fields, partition, a));
    case 'or':
      return e.args.length === 0 || e.args.some((a) => partitionMightMatch(schema, fields, partition, a));
    case 'not':
      return true;
    default:
      break;
  }
  const c = column(schema, e.column);
  for (const pf of fields) {
    if (pf['source-id'] !== c.id) continue;
    const pv = partition[pf.name];
    if (e.op === 'is-null') {
      if (pv !== null && pv !== undefined && pf.transform !== 'void') return false;
      continue;
    }
    if (e.op === 'not-null') continue;
    if (pv === null || pv === undefined) {
      if (pf.transform !== 'void') return false; // a null partition holds only null source values
      continue;
    }
    const orderPreserving =
      pf.transform === 'identity' || /^(year|month|day|hour|truncate\[\d+\])$/.test(pf.transform);
    const project = (v: unknown) => applyTransform(pf.transform, c.type, toPhysical(c.type, v));
    const ok = (op: CompareOp, v: unknown): boolean => {
      const tv = project(v);
      if (tv === null || tv === undefined) return true;
      const cmp = compare(pv, tv);
      if (op === '=') return cmp === 0;
      if (!orderPreserving) return true;
      switch (op) {
        case '<':
          return pf.transform === 'identity' ? cmp < 0 : cmp <= 0;
        case '<=':
          return cmp <= 0;
        case '>':
          return pf.transform === 'identity' ? cmp > 0 : cmp >= 0;
        case '>=':
          return cmp >= 0;
        default:
          return true;
      }
    };
    if (pf.transform === 'void') continue;
    if (e.op === 'in') {
      if (!e.values.some((v) => ok('=', v))) return false;
    } else if ('value' in e && e.op !== '!=') {
      if (!ok(e.op, e.value)) return false;
    }
  }
  return true;
}
