/**
 * The destination table for a parser's output. Its schema is planned first (the output is
 * staged with the field ids it will have), and the table is created or evolved only once the
 * output has passed every check, so a failing run changes nothing, not even the schema: created
 * with the declared columns plus L2's own, or evolved. New columns are added (optional); a type Iceberg can widen is
 * widened; any other difference is an error naming the column and the fix. Table columns the
 * parser no longer produces are dropped when `dropExtraColumns` is true, and kept (null in new
 * rows) when it is false, as the seed's option says.
 */
import type { L2Config } from '../config/l2-schema.js';
import { createWithLayout, tableLayout } from '../config/table-layout.js';
import { FloeError } from '../errors.js';
import {
  buildSchema,
  type Catalog,
  canPromote,
  type IcebergType,
  loadOrCreateTable,
  type PrimitiveType,
  type Schema,
  type SchemaUpdate,
  type Table,
  type TableIdentifier,
  type TypeInput,
} from '../iceberg/index.js';
import { L2_COLUMNS, type OutputColumn } from './output.js';
import { formatType } from './parsers/type-expr.js';

/** What the destination table will be, worked out before anything changes (see the file comment). */
export interface DestinationPlan {
  /** The schema the table will have (field ids included). */
  readonly schema: Schema;
  /** The table, when it exists. */
  readonly existing?: Table;
  /** How to evolve it. */
  readonly update?: SchemaUpdate;
  readonly added: string[];
  readonly widened: string[];
  readonly dropped: string[];
  /** Table columns the parser does not produce, kept (null in new rows). */
  readonly kept: string[];
}

export function destinationId(config: L2Config): TableIdentifier {
  return { namespace: [config.destination.namespace], name: config.destination.tableName };
}

function targetColumns(columns: readonly OutputColumn[]): { name: string; type: TypeInput }[] {
  return [...columns, ...L2_COLUMNS.map((c) => ({ name: c.name, type: c.type as TypeInput }))];
}

/** The table's schema after this run, and the changes that get it there; commits nothing. */
export function planDestination(
  config: L2Config,
  columns: readonly OutputColumn[],
  existing: Table | undefined,
): DestinationPlan {
  const target = targetColumns(columns);
  if (!existing)
    return {
      schema: buildSchema(target.map((c) => ({ name: c.name, type: c.type, required: false }))),
      added: [],
      widened: [],
      dropped: [],
      kept: [],
    };
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
  const update: SchemaUpdate = { addColumns: added, widen, dropColumns: drop };
  return {
    schema: table.previewSchema(update),
    existing: table,
    update,
    added: added.map((a) => a.name),
    widened: widen.map((w) => w.name),
    dropped: drop,
    kept: config.destination.dropExtraColumns ? [] : extra,
  };
}

/** Creates or evolves the table as planned; returns it. */
export async function applyDestination(
  catalog: Catalog,
  config: L2Config,
  columns: readonly OutputColumn[],
  plan: DestinationPlan,
): Promise<Table> {
  if (plan.existing) {
    // The configured target file size is kept current on an existing table too.
    const { properties } = tableLayout(config.destination);
    await plan.existing.updateSchema({
      ...plan.update!,
      setProperties: { ...plan.update!.setProperties, ...properties },
    });
    return plan.existing;
  }
  const layout = tableLayout(config.destination);
  const table = await createWithLayout(layout, config.configId, (sortBy) =>
    loadOrCreateTable(catalog, destinationId(config), {
      schema: plan.schema,
      partitionBy: layout.partitionBy,
      sortBy,
      properties: layout.properties,
    }),
  );
  // Another writer may have created it first: then it is evolved like any existing table.
  if (JSON.stringify(table.schema().fields) === JSON.stringify(plan.schema.fields)) return table;
  return applyDestination(catalog, config, columns, planDestination(config, columns, table));
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
