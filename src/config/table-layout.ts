/**
 * A destination's table layout, resolved for table creation: partition fields and sort fields with
 * their columns named as the table names them (columnNaming), and the target file size as the
 * Iceberg table property. Shared by L1 and L2, which differ only in where the defaults come from.
 */
import { FloeError, isFloeError } from '../errors.js';
import { defaultSortOrder, type PartitionField, type WriteMode } from './common-schema.js';
import { type ColumnNaming, resolveColumnName } from './naming.js';

/** Iceberg's name for the property icebergOptimizations.targetFileSizeBytes sets. */
export const TARGET_FILE_SIZE_PROPERTY = 'write.target-file-size-bytes';

export interface LayoutConfig {
  readonly partitionBy: readonly PartitionField[];
  readonly primaryKey: readonly string[];
  readonly defaultwriteMode: WriteMode;
  readonly columnNaming: ColumnNaming;
  readonly icebergOptimizations: {
    readonly partitionSpec?: unknown;
    readonly sortOrder?: readonly {
      source: string;
      transform?: string;
      direction?: 'asc' | 'desc';
      nullOrder?: 'nulls-first' | 'nulls-last';
    }[];
    readonly targetFileSizeBytes?: number;
  };
}

export interface TableLayout {
  readonly partitionBy: { source: string; transform: string; name?: string }[];
  readonly sortBy: {
    source: string;
    transform?: string;
    direction?: 'asc' | 'desc';
    nullOrder?: 'nulls-first' | 'nulls-last';
  }[];
  /** Whether sortBy is the MERGE default (the primary key) rather than the config's own. */
  readonly defaultSort: boolean;
  /** Table properties to set: the target file size, when configured. */
  readonly properties: Record<string, string>;
  /** The config field the partition fields came from, for error messages. */
  readonly partitionField: 'partitionBy' | 'icebergOptimizations.partitionSpec';
}

export function tableLayout(d: LayoutConfig): TableLayout {
  const r = (n: string) => resolveColumnName(n, d.columnNaming);
  const own = d.icebergOptimizations.sortOrder;
  const sort = own ?? defaultSortOrder(d.primaryKey, d.defaultwriteMode);
  const size = d.icebergOptimizations.targetFileSizeBytes;
  return {
    partitionBy: d.partitionBy.map((p) => ({ ...p, source: r(p.source) })),
    sortBy: sort.map((s) => ({ ...s, source: r(s.source) })),
    defaultSort: own === undefined,
    properties: size === undefined ? {} : { [TARGET_FILE_SIZE_PROPERTY]: String(size) },
    partitionField:
      d.icebergOptimizations.partitionSpec === undefined
        ? 'partitionBy'
        : 'icebergOptimizations.partitionSpec',
  };
}

/**
 * Creates a table with `layout` through `create`. A layout the schema refuses is a config error
 * (layoutConfigError), except the MERGE default sort by primary key: a key column that cannot
 * order rows (a struct, a list) leaves the table unsorted instead of failing the sync.
 */
export async function createWithLayout<T>(
  layout: TableLayout,
  configId: string,
  create: (sortBy: TableLayout['sortBy']) => Promise<T>,
): Promise<T> {
  try {
    return await create(layout.sortBy);
  } catch (e) {
    const sortField = isFloeError(e, 'config-invalid') && /^sortOrder\[/.test(String(e.context.field ?? ''));
    if (sortField && layout.defaultSort && layout.sortBy.length > 0) return create([]);
    throw layoutConfigError(e, configId, layout);
  }
}

/**
 * A layout the table's schema refuses (an unknown column, a transform its type does not take),
 * as a config error naming the config, the field and the fix; other errors pass unchanged.
 */
export function layoutConfigError(
  e: unknown,
  configId: string,
  layout: Pick<TableLayout, 'partitionField'>,
): unknown {
  if (!isFloeError(e, 'config-invalid')) return e;
  const field = String(e.context.field ?? '');
  const m = /^(partitionBy|sortOrder)\[(\d+)\]$/.exec(field);
  if (!m) return e;
  const path =
    m[1] === 'sortOrder'
      ? `destination.icebergOptimizations.sortOrder[${m[2]}]`
      : `destination.${layout.partitionField}[${m[2]}]`;
  const detail = e.message.replace(/^(partitionBy|sortOrder)\[\d+\]: /, '');
  return new FloeError(
    'config-invalid',
    `config ${configId}: ${path}: ${detail} (fix: name a column the table has, as columnNaming spells it, with a transform its type accepts)`,
    { context: { configId, field: path }, cause: e },
  );
}
