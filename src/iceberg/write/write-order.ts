/**
 * The order a write puts its rows in: the table's default sort order as SQL ORDER BY terms over
 * the written columns, and the sort order id the files may then record.
 */
import { sqlIdent } from '../../duck/session.js';
import type { TableMetadata } from '../spec/metadata.js';
import { indexSchema, type Schema } from '../spec/schema.js';
import { defaultSortOrder } from '../spec/sort-order.js';
import { parseTransform } from '../spec/transforms.js';

export interface WriteOrder {
  /** ORDER BY terms (empty: the table declares no order). */
  readonly terms: readonly string[];
  /** The same terms taken apart: the expression ordered by, its direction and where nulls go. */
  readonly fields: readonly OrderTerm[];
  /** The sort order id to record in the data files: 0 unless every field could be applied. */
  readonly sortOrderId: number;
}

export interface OrderTerm {
  /** SQL over the written columns (a column, a struct path, or a transform of one). */
  readonly expr: string;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
}

/** `expr ASC|DESC NULLS FIRST|LAST`. */
export function orderTermSql(f: OrderTerm): string {
  return `${f.expr} ${f.desc ? 'DESC' : 'ASC'} ${f.nullsFirst ? 'NULLS FIRST' : 'NULLS LAST'}`;
}

/**
 * ORDER BY terms for the table's default sort order over columns named as in `schema`
 * (top-level, or struct paths). Identity, the time transforms and truncate of numbers and
 * strings are computed in SQL; `void` orders nothing and is skipped. `bucket` (a murmur3 hash
 * DuckDB cannot compute) and truncate of binary end the terms there: the rows are then sorted by
 * the fields before it only, and the files record sort order 0 (unsorted), as the spec asks of
 * files not written in the declared order.
 */
export function writeOrder(metadata: TableMetadata, schema: Schema): WriteOrder {
  const order = defaultSortOrder(metadata);
  const index = indexSchema(schema);
  const fields: OrderTerm[] = [];
  let complete = true;
  for (const f of order.fields) {
    const col = index.get(f['source-id']);
    if (!col || col.repeated) {
      complete = false;
      break;
    }
    const ref = col.path.map(sqlIdent).join('.');
    const expr = transformSql(f.transform, ref, col.type);
    if (expr === null) continue;
    if (expr === undefined) {
      complete = false;
      break;
    }
    fields.push({ expr, desc: f.direction === 'desc', nullsFirst: f['null-order'] !== 'nulls-last' });
  }
  return {
    terms: fields.map(orderTermSql),
    fields,
    sortOrderId: complete && fields.length > 0 ? order['order-id'] : 0,
  };
}

/** SQL for a transform of `ref`; null: orders nothing (void); undefined: cannot be computed here. */
function transformSql(transform: string, ref: string, type: unknown): string | null | undefined {
  let t: ReturnType<typeof parseTransform>;
  try {
    t = parseTransform(transform);
  } catch {
    return undefined;
  }
  switch (t.kind) {
    case 'identity':
      return ref;
    case 'year':
    case 'month':
    case 'day':
    case 'hour':
      return `date_trunc('${t.kind}', ${ref})`;
    case 'truncate':
      if (type === 'string') return `left(${ref}, ${t.width})`;
      if (type === 'int' || type === 'long')
        return `(${ref} - (((${ref} % ${t.width}) + ${t.width}) % ${t.width}))`;
      return undefined;
    case 'void':
      return null;
    default:
      return undefined;
  }
}
