/**
 * Schema evolution (spec §Schema Evolution): add optional columns (top level or inside a
 * struct) with fresh ids above last-column-id, and widen types as Iceberg allows
 * (int→long, float→double, decimal precision up), and drop top-level columns when asked
 * (`dropColumns`: their ids are retired, never reused; old data files keep the values, which no
 * reader of the current schema sees), rename columns (the field id stays, so old files read under
 * the new name) and make required columns optional. floe drops columns only on an explicit
 * request (an L2 config's `dropExtraColumns`), never as a side effect of evolution.
 */
import { FloeError } from '../../errors.js';
import {
  currentSchema,
  defaultSpec,
  type TableMetadata,
  withProperties,
  withSchema,
} from '../spec/metadata.js';
import { buildSchema, type Schema, type TypeInput } from '../spec/schema.js';
import {
  decimalParts,
  type IcebergType,
  isStruct,
  type NestedField,
  type PrimitiveType,
} from '../spec/types.js';

export interface SchemaUpdate {
  /** New optional columns; `parent` is the dotted path of a struct column to add into. */
  readonly addColumns?: readonly { name: string; type: TypeInput; parent?: string; doc?: string }[];
  /** Type promotions of existing primitive columns (dotted names). */
  readonly widen?: readonly { name: string; type: PrimitiveType }[];
  /** Top-level columns to remove from the schema. */
  readonly dropColumns?: readonly string[];
  /**
   * Top-level columns to rename. The field id stays, so every data file written under the old
   * name reads under the new one.
   */
  readonly renameColumns?: readonly { name: string; to: string }[];
  /** Required columns (dotted paths) that become optional (never the other way: old rows may be null). */
  readonly makeOptional?: readonly string[];
  /** Table properties to set in the same commit (e.g. how source fields map to these columns). */
  readonly setProperties?: Readonly<Record<string, string>>;
}

export function canPromote(from: IcebergType, to: IcebergType): boolean {
  if (from === to) return true;
  if (from === 'int' && to === 'long') return true;
  if (from === 'float' && to === 'double') return true;
  const a = decimalParts(from);
  const b = decimalParts(to);
  return !!a && !!b && a.scale === b.scale && b.precision >= a.precision;
}

/** Returns new metadata, or the same object when nothing changes. */
export function applySchemaUpdate(
  metadata: TableMetadata,
  update: SchemaUpdate,
  table: string,
): TableMetadata {
  const schema = currentSchema(metadata);
  let lastId = metadata['last-column-id'];
  let fields = schema.fields;
  let changed = false;

  for (const w of update.widen ?? []) {
    fields = mapField(
      fields,
      w.name.split('.'),
      (f) => {
        if (f.type === w.type) return f;
        if (!canPromote(f.type, w.type)) {
          throw new FloeError(
            'data-invalid',
            `cannot change column "${w.name}" from ${String(f.type)} to ${w.type}: Iceberg allows only int→long, float→double and wider decimals`,
            {
              context: { table, column: w.name },
            },
          );
        }
        changed = true;
        return { ...f, type: w.type };
      },
      table,
    );
  }

  for (const r of update.renameColumns ?? []) {
    if (r.name.includes('.'))
      // floe's reader projects top-level columns by field id but struct members by name (DuckDB
      // casts structs by member name), so old files would not read under a renamed member.
      throw new FloeError(
        'feature-unsupported',
        `cannot rename "${r.name}": renaming a field inside a struct is not supported yet (top-level columns can be renamed)`,
        { context: { table, column: r.name } },
      );
    if (!r.to || r.to.includes('.'))
      throw new FloeError(
        'config-invalid',
        `cannot rename "${r.name}" to "${r.to}": give the new name of the column itself, without a path`,
        { context: { table, column: r.name } },
      );
    if (fields.some((f) => f.name === r.to))
      throw new FloeError(
        'data-invalid',
        `cannot rename "${r.name}" to "${r.to}": a column of that name exists`,
        {
          context: { table, column: r.name },
        },
      );
    fields = mapField(fields, [r.name], (f) => ({ ...f, name: r.to }), table);
    changed = true;
  }
  for (const name of update.makeOptional ?? []) {
    fields = mapField(
      fields,
      name.split('.'),
      (f) => {
        if (!f.required) return f;
        changed = true;
        return { ...f, required: false };
      },
      table,
    );
  }

  for (const add of update.addColumns ?? []) {
    // Fresh ids: build the new field alone, numbered after last-column-id.
    const built = buildSchema(
      [{ name: add.name, type: add.type, required: false, ...(add.doc ? { doc: add.doc } : {}) }],
      0,
      lastId + 1,
    );
    const field = built.fields[0]!;
    lastId = Math.max(lastId, maxId(field));
    const insert = (list: readonly NestedField[], where: string) => {
      if (list.some((f) => f.name === add.name)) {
        throw new FloeError('data-invalid', `column "${where}${add.name}" already exists`, {
          context: { table, column: add.name },
        });
      }
      return [...list, field];
    };
    if (add.parent) {
      fields = mapField(
        fields,
        add.parent.split('.'),
        (f) => {
          if (!isStruct(f.type))
            throw new FloeError('data-invalid', `"${add.parent}" is not a struct column`, {
              context: { table },
            });
          return { ...f, type: { type: 'struct', fields: insert(f.type.fields, `${add.parent}.`) } };
        },
        table,
      );
    } else {
      fields = insert(fields, '');
    }
    changed = true;
  }
  for (const name of update.dropColumns ?? []) {
    const f = fields.find((x) => x.name === name);
    if (!f)
      throw new FloeError('not-found', `column "${name}" does not exist`, {
        context: { table, column: name },
      });
    if (defaultSpec(metadata).fields.some((p) => p['source-id'] === f.id))
      throw new FloeError(
        'data-invalid',
        `cannot drop column "${name}": the table is partitioned by it; keep the column, or recreate the table`,
        { context: { table, column: name } },
      );
    if (schema['identifier-field-ids']?.includes(f.id))
      throw new FloeError(
        'data-invalid',
        `cannot drop column "${name}": it is an identifier field of the table`,
        {
          context: { table, column: name },
        },
      );
    fields = fields.filter((x) => x !== f);
    changed = true;
  }
  const props = Object.entries(update.setProperties ?? {}).filter(([k, v]) => metadata.properties[k] !== v);
  if (!changed && props.length === 0) return metadata;
  let out = metadata;
  if (changed) {
    const next: Omit<Schema, 'schema-id'> = {
      type: 'struct',
      fields,
      ...(schema['identifier-field-ids'] ? { 'identifier-field-ids': schema['identifier-field-ids'] } : {}),
    };
    out = { ...withSchema(metadata, next), 'last-column-id': lastId };
  }
  return props.length ? withProperties(out, Object.fromEntries(props)) : out;
}

function maxId(f: NestedField): number {
  let m = f.id;
  const visit = (t: IcebergType) => {
    if (typeof t === 'string') return;
    if (t.type === 'struct')
      for (const c of t.fields) {
        m = Math.max(m, c.id);
        visit(c.type);
      }
    else if (t.type === 'list') {
      m = Math.max(m, t['element-id']);
      visit(t.element);
    } else {
      m = Math.max(m, t['key-id'], t['value-id']);
      visit(t.key);
      visit(t.value);
    }
  };
  visit(f.type);
  return m;
}

function mapField(
  fields: readonly NestedField[],
  path: string[],
  fn: (f: NestedField) => NestedField,
  table: string,
): NestedField[] {
  const [head, ...rest] = path;
  const i = fields.findIndex((f) => f.name === head);
  if (i < 0)
    throw new FloeError('not-found', `column "${path.join('.')}" does not exist`, { context: { table } });
  const f = fields[i]!;
  let next: NestedField;
  if (rest.length === 0) next = fn(f);
  else {
    if (!isStruct(f.type))
      throw new FloeError('not-found', `column "${path.join('.')}" does not exist`, { context: { table } });
    next = { ...f, type: { type: 'struct', fields: mapField(f.type.fields, rest, fn, table) } };
  }
  const out = [...fields];
  out[i] = next;
  return out;
}
