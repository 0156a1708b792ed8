/**
 * The destination table, made ready for a parser's output once that output has passed every
 * check (so a failing run changes nothing, not even the schema): created with the declared
 * columns plus L2's own, or evolved. New columns are added (optional); a type Iceberg can widen is
 * widened; any other difference is an error naming the column and the fix. Table columns the
 * parser no longer produces are dropped when `dropExtraColumns` is true, and kept (null in new
 * rows) when it is false, as the seed's option says.
 */
import { resolveColumnName } from '../config/index.js';
import type { L2Config } from '../config/l2-schema.js';
import { FloeError } from '../errors.js';
import {
  type Catalog,
  canPromote,
  type IcebergType,
  loadOrCreateTable,
  type PrimitiveType,
  type Table,
  type TableIdentifier,
  type TypeInput,
} from '../iceberg/index.js';
import { L2_COLUMNS, type OutputColumn } from './output.js';
import { formatType } from './parsers/type-expr.js';

export interface PreparedDestination {
  readonly table: Table;
  readonly created: boolean;
  readonly added: string[];
  readonly widened: string[];
  readonly dropped: string[];
  /** Table columns the parser does not produce, kept (null in new rows). */
  readonly kept: string[];
}

export function destinationId(config: L2Config): TableIdentifier {
  return { namespace: [config.destination.namespace], name: config.destination.tableName };
}

export async function prepareDestination(
  catalog: Catalog,
  config: L2Config,
  columns: readonly OutputColumn[],
  existing: Table | undefined,
): Promise<PreparedDestination> {
  const target = [...columns, ...L2_COLUMNS.map((c) => ({ name: c.name, type: c.type as TypeInput }))];
  if (!existing) {
    const naming = config.destination.columnNaming;
    const table = await loadOrCreateTable(catalog, destinationId(config), {
      schema: target.map((c) => ({ name: c.name, type: c.type, required: false })),
      partitionBy: config.destination.partitionBy.map((p) => ({
        ...p,
        source: resolveColumnName(p.source, naming),
      })),
    });
    // Another writer may have created it first; then it is evolved like any existing table.
    if (
      table
        .schema()
        .fields.map((f) => f.name)
        .join() === target.map((c) => c.name).join()
    )
      return { table, created: true, added: [], widened: [], dropped: [], kept: [] };
    return prepareDestination(catalog, config, columns, table);
  }
  const table = existing;
  const fields = table.schema().fields;
  const added: { name: string; type: TypeInput }[] = [];
  const widen: { name: string; type: PrimitiveType }[] = [];
  const conflicts: string[] = [];
  for (const c of target) {
    const f = fields.find((x) => x.name === c.name);
    if (!f) {
      added.push({ name: c.name, type: c.type });
      continue;
    }
    if (sameType(f.type, c.type)) continue;
    if (
      typeof f.type === 'string' &&
      typeof c.type === 'string' &&
      canPromote(f.type, c.type as PrimitiveType)
    ) {
      widen.push({ name: c.name, type: c.type as PrimitiveType });
      continue;
    }
    conflicts.push(
      `column "${c.name}" is ${describe(f.type)} in the table but the parser now produces ${formatType(c.type)}`,
    );
  }
  if (conflicts.length)
    throw new FloeError(
      'data-invalid',
      `config ${config.configId}: the output no longer fits table ${table.name}: ${conflicts.join('; ')}. ` +
        'Iceberg only widens int→long, float→double and decimal precision. Fix: cast the column in the parser back to the table’s type, or drop the table to rebuild it with a FULL run',
      { context: { configId: config.configId, table: table.name } },
    );
  const extra = fields.map((f) => f.name).filter((n) => !target.some((c) => c.name === n));
  const drop = config.destination.dropExtraColumns ? extra : [];
  await table.updateSchema({ addColumns: added, widen, dropColumns: drop });
  return {
    table,
    created: false,
    added: added.map((a) => a.name),
    widened: widen.map((w) => w.name),
    dropped: drop,
    kept: config.destination.dropExtraColumns ? [] : extra,
  };
}

/** Is a table type (with ids) the declared one (without)? */
function sameType(t: IcebergType, d: TypeInput): boolean {
  if (typeof t === 'string' || typeof d === 'string') return t === d;
  if (t.type === 'list' && d.type === 'list') return sameType(t.element, d.element);
  if (t.type === 'map' && d.type === 'map') return sameType(t.key, d.key) && sameType(t.value, d.value);
  if (t.type === 'struct' && d.type === 'struct')
    return (
      t.fields.length === d.fields.length &&
      d.fields.every((f) => {
        const x = t.fields.find((y) => y.name === f.name);
        return x !== undefined && sameType(x.type, f.type);
      })
    );
  return false;
}

function describe(t: IcebergType): string {
  if (typeof t === 'string') return t;
  if (t.type === 'list') return `list<${describe(t.element)}>`;
  if (t.type === 'map') return `map<${describe(t.key)}, ${describe(t.value)}>`;
  return `struct<${t.fields.map((f) => `${f.name}: ${describe(f.type)}`).join(', ')}>`;
}
