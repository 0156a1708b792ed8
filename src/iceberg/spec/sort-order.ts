/**
 * Sort orders (spec §Sort Orders): the order a table's writers should write rows in, as plain
 * data, a builder that validates requested fields against the schema, and the pure function that
 * makes an order the table's default. Order id 0 is reserved for "unsorted" (no fields).
 */
import { FloeError, isFloeError } from '../../errors.js';
import type { SchemaLookup } from './partition.js';
import { findField, indexSchema, type Schema } from './schema.js';
import { canTransform, parseTransform, type Transform, transformToString } from './transforms.js';
import { isPrimitive } from './types.js';

export type SortDirection = 'asc' | 'desc';
export type NullOrder = 'nulls-first' | 'nulls-last';

export interface SortField {
  readonly transform: string;
  readonly 'source-id': number;
  readonly direction: SortDirection;
  readonly 'null-order': NullOrder;
}

export interface SortOrder {
  readonly 'order-id': number;
  readonly fields: readonly SortField[];
}

/** One requested sort field: a column name or dotted path; ascending, nulls first by default (as Java). */
export interface SortFieldInput {
  readonly source: string;
  readonly transform?: string;
  readonly direction?: SortDirection;
  readonly nullOrder?: NullOrder;
}

export const UNSORTED_ORDER: SortOrder = { 'order-id': 0, fields: [] };

function configError(message: string, field: string): FloeError {
  return new FloeError('config-invalid', message, { context: { field } });
}

/**
 * Builds a sort order from requested fields, validating as Java's `SortOrder.Builder` does: the
 * source exists and is a primitive outside lists and maps, and the transform accepts its type.
 * Nulls default to first for ascending and last for descending (Java's `asc`/`desc` defaults).
 */
export function buildSortOrder(
  lookup: SchemaLookup,
  fields: readonly SortFieldInput[],
  orderId = 1,
): SortOrder {
  if (fields.length === 0) return UNSORTED_ORDER;
  const out = fields.map((input, i): SortField => {
    const where = `sortOrder[${i}]`;
    let t: Transform;
    try {
      t = parseTransform(input.transform ?? 'identity');
    } catch (e) {
      if (isFloeError(e)) throw configError(`${where}: ${e.message}`, where);
      throw e;
    }
    const src = lookup(input.source);
    if (!src) throw configError(`${where}: sort column "${input.source}" is not in the schema`, where);
    if (!isPrimitive(src.type) || src.repeated)
      throw configError(
        `${where}: sort column "${input.source}" must be a primitive column outside lists and maps`,
        where,
      );
    if (!canTransform(t, src.type))
      throw configError(
        `${where}: transform ${transformToString(t)} cannot be applied to column "${input.source}" of type ${src.type}`,
        where,
      );
    const direction = input.direction ?? 'asc';
    return {
      transform: transformToString(t),
      'source-id': src.id,
      direction,
      'null-order': input.nullOrder ?? (direction === 'asc' ? 'nulls-first' : 'nulls-last'),
    };
  });
  return { 'order-id': orderId, fields: out };
}

/** A sort order over `schema`'s columns (names or dotted paths); see buildSortOrder. */
export function sortOrderFor(schema: Schema, fields: readonly SortFieldInput[], orderId = 1): SortOrder {
  const index = indexSchema(schema);
  return buildSortOrder(
    (nameOrId) => {
      const f = typeof nameOrId === 'number' ? index.get(nameOrId) : findField(schema, nameOrId);
      const at = f && index.get(f.id);
      return at ? { id: at.id, type: at.type, name: at.path.join('.'), repeated: at.repeated } : undefined;
    },
    fields,
    orderId,
  );
}

/** The table's default sort order (order 0, unsorted, when the id names none). */
export function defaultSortOrder(m: {
  readonly 'sort-orders': readonly SortOrder[];
  readonly 'default-sort-order-id': number;
}): SortOrder {
  return m['sort-orders'].find((o) => o['order-id'] === m['default-sort-order-id']) ?? UNSORTED_ORDER;
}

const sameFields = (a: SortOrder, b: SortOrder) => JSON.stringify(a.fields) === JSON.stringify(b.fields);

/**
 * The sort orders and default id after making `order` the default: an equal existing order is
 * reused (as Java's `TableMetadata.Builder.addSortOrder`), else it is added with the next id.
 */
export function withDefaultSortOrder(
  orders: readonly SortOrder[],
  order: SortOrder,
): { 'sort-orders': SortOrder[]; 'default-sort-order-id': number } {
  const all = orders.some((o) => o['order-id'] === 0) ? [...orders] : [UNSORTED_ORDER, ...orders];
  if (order.fields.length === 0) return { 'sort-orders': all, 'default-sort-order-id': 0 };
  const same = all.find((o) => sameFields(o, order));
  if (same) return { 'sort-orders': all, 'default-sort-order-id': same['order-id'] };
  const id = Math.max(0, ...all.map((o) => o['order-id'])) + 1;
  return { 'sort-orders': [...all, { ...order, 'order-id': id }], 'default-sort-order-id': id };
}

/**
 * `id`, `id desc`, `updated_date DESC NULLS LAST`, `day(updated_date)`, `truncate(4, name) asc`:
 * the text form of a sort field that configs and the CLI take (Iceberg's SQL `ORDER BY` syntax).
 */
export function parseSortField(text: string): SortFieldInput {
  const m = /^\s*(.+?)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?\s*$/i.exec(text);
  if (!m)
    throw new FloeError('config-invalid', `"${text}" is not a sort field`, { context: { field: text } });
  const { source, transform } = parseTermExpression(m[1]!);
  const direction = m[2]?.toLowerCase() as SortDirection | undefined;
  const nulls = m[3]?.toLowerCase();
  return {
    source,
    ...(transform ? { transform } : {}),
    ...(direction ? { direction } : {}),
    ...(nulls ? { nullOrder: nulls === 'first' ? 'nulls-first' : 'nulls-last' } : {}),
  };
}

/**
 * Iceberg's expression syntax for a transformed column, as Spark DDL writes it: `col`,
 * `identity(col)`, `day(col)` (also `days`, `years`, `months`, `hours`), `bucket(16, col)`,
 * `truncate(4, col)`, `void(col)`. Returns the column and the transform in the spec's spelling.
 */
export function parseTermExpression(text: string): { source: string; transform?: string } {
  const s = text.trim();
  const call = /^([A-Za-z_]+)\s*\(\s*(?:(\d+)\s*,\s*)?(.+?)\s*\)$/.exec(s);
  if (!call) return { source: s };
  const fn = call[1]!.toLowerCase().replace(/s$/, '');
  const n = call[2];
  const source = call[3]!;
  if (fn === 'bucket' || fn === 'truncate') {
    if (n === undefined)
      throw new FloeError('config-invalid', `${fn} needs a width: write ${fn}(N, ${source})`, {
        context: { field: text },
      });
    return { source, transform: `${fn}[${n}]` };
  }
  if (n !== undefined)
    throw new FloeError('config-invalid', `${fn} takes one column: write ${fn}(${source})`, {
      context: { field: text },
    });
  return { source, transform: transformToString(parseTransform(fn)) };
}
