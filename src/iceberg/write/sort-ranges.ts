/**
 * Key ranges of a sorted write: boundaries that cut its rows into ranges of about equal size in
 * the table's sort order, and the SQL that names the range of a row. Each range can then be
 * sorted on its own and the sorted ranges laid end to end, which is the whole write in order
 * (sorted-write.ts). Boundaries are tuples of the order's terms (every term, not only the first),
 * so a low-cardinality first term (`status`, then `id`) still splits, and rows that tie on every
 * term always fall in one range.
 */
import { type Duck, sqlString } from '../../duck/session.js';
import { type OrderTerm, orderTermSql } from './write-order.js';

/** One boundary: each term's value as a typed SQL literal, or null for SQL NULL. */
export type Boundary = readonly (string | null)[];

/**
 * Up to `ranges - 1` boundaries for the rows of `source`, from a reservoir sample of the order's
 * terms (only those columns are read): the sample is sorted by the terms and cut evenly. Equal
 * boundaries collapse, so fewer ranges come back when many rows tie. Sampled rather than exact:
 * an exact cut sorts every key, and ranges a few percent off their share cost nothing here.
 */
export async function sampleBoundaries(
  duck: Duck,
  source: string,
  fields: readonly OrderTerm[],
  ranges: number,
  sampleRows: number,
): Promise<Boundary[]> {
  if (ranges <= 1 || fields.length === 0) return [];
  const keys = fields.map((f, i) => `${f.expr} AS k${i}`).join(', ');
  const values = fields.map((_, i) => `k${i}::VARCHAR AS v${i}, typeof(k${i}) AS t${i}`).join(', ');
  const order = fields.map((f, i) => orderTermSql({ ...f, expr: `k${i}` })).join(', ');
  const rows = await duck.json(
    `SELECT ${values} FROM (SELECT ${keys} FROM ${source} USING SAMPLE reservoir(${Math.max(1, Math.floor(sampleRows))} ROWS) REPEATABLE (7)) ORDER BY ${order}`,
  );
  const out: Boundary[] = [];
  let last = '';
  for (let i = 1; i < ranges; i++) {
    const r = rows[Math.floor((i * rows.length) / ranges)];
    if (!r) continue;
    const b = fields.map((_, j) => {
      const v = r[`v${j}`];
      return v === null || v === undefined ? null : `CAST(${sqlString(String(v))} AS ${String(r[`t${j}`])})`;
    });
    const key = JSON.stringify(b);
    if (key === last) continue;
    last = key;
    out.push(b);
  }
  return out;
}

/**
 * SQL that is true when a row comes strictly before `bound` in the order: before it on the first
 * term, or equal there and before it on the rest. Nulls go where each term says (NULLS FIRST:
 * before every value; NULLS LAST: after).
 */
export function precedesSql(fields: readonly OrderTerm[], bound: Boundary, from = 0): string {
  const f = fields[from]!;
  const v = bound[from] ?? null;
  const e = f.expr;
  const op = f.desc ? '>' : '<';
  let before: string;
  if (v === null) before = f.nullsFirst ? 'FALSE' : `(${e} IS NOT NULL)`;
  else before = f.nullsFirst ? `(${e} IS NULL OR ${e} ${op} ${v})` : `coalesce(${e} ${op} ${v}, FALSE)`;
  if (from === fields.length - 1) return before;
  const equal = v === null ? `(${e} IS NULL)` : `coalesce(${e} = ${v}, FALSE)`;
  return `(${before} OR (${equal} AND ${precedesSql(fields, bound, from + 1)}))`;
}

/**
 * SQL giving a row's range number, 0 … bounds.length: range i holds the rows from bounds[i-1]
 * (inclusive) up to bounds[i] (exclusive). A bisection of CASEs, so a row costs log2(ranges)
 * comparisons rather than one per boundary.
 */
export function rangeOfRowSql(fields: readonly OrderTerm[], bounds: readonly Boundary[]): string {
  const bisect = (lo: number, hi: number): string => {
    if (lo === hi) return String(lo);
    const mid = (lo + hi) >> 1;
    return `CASE WHEN ${precedesSql(fields, bounds[mid]!)} THEN ${bisect(lo, mid)} ELSE ${bisect(mid + 1, hi)} END`;
  };
  return bisect(0, bounds.length);
}
