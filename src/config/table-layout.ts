/**
 * A destination's table layout, resolved for table creation: partition fields and sort fields with
 * their columns named as the table names them (columnNaming), and the target file size as the
 * Iceberg table property. Shared by L1 and L2, which differ only in where the defaults come from.
 */
import { FloeError, isFloeError } from '../errors.js';
import type { PartitionField, WriteMode } from './common-schema.js';
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
  /** Table properties to set: the target file size, when configured. */
  readonly properties: Record<string, string>;
  /** The config field the partition fields came from, for error messages. */
  readonly partitionField: 'partitionBy' | 'icebergOptimizations.partitionSpec';
}

export function tableLayout(d: LayoutConfig): TableLayout {
  const r = (n: string) => resolveColumnName(n, d.columnNaming);
  const own = d.icebergOptimizations.sortOrder;
  // Unsorted unless the config asks: one global sort of a first load's wide rows needs more than
  // DuckDB's default 256 MB (2M Wrike tasks ran out of memory), so a primary-key default would
  // break large first loads at default settings.
  const sort = own ?? [];
  const size = d.icebergOptimizations.targetFileSizeBytes;
  return {
    partitionBy: d.partitionBy.map((p) => ({ ...p, source: r(p.source) })),
    sortBy: sort.map((s) => ({ ...s, source: r(s.source) })),
    properties: size === undefined ? {} : { [TARGET_FILE_SIZE_PROPERTY]: String(size) },
    partitionField:
      d.icebergOptimizations.partitionSpec === undefined
        ? 'partitionBy'
        : 'icebergOptimizations.partitionSpec',
  };
}

/**
 * Creates a table with `layout` through `create`. A layout the schema refuses is a config error
 * (layoutConfigError) naming the config, the field and the fix.
 */
export async function createWithLayout<T>(
  layout: TableLayout,
  configId: string,
  create: (sortBy: TableLayout['sortBy']) => Promise<T>,
): Promise<T> {
  try {
    return await create(layout.sortBy);
  } catch (e) {
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
