/**
 * Schema evolution (spec §Schema Evolution): add optional columns (top level or inside a
 * struct, also a struct inside a list or map) with fresh ids above last-column-id, and widen
 * types as Iceberg allows (int→long, float→double, decimal precision up), and drop columns when
 * asked (`dropColumns`: their ids are retired, never reused; old data files keep the values,
 * which no reader of the current schema sees), rename columns at any level (the field id stays,
 * so old files read under the new name; read/nested-ids.ts projects struct members by id),
 * make required columns optional, and union by name (unionByName below). floe drops columns
 * only on an explicit request (an L2 config's `dropExtraColumns`), never as a side effect of
 * evolution.
 *
 * Paths are dotted names. Inside a list of structs or a map with struct values the path may name
 * the element / value (`points.element.x`, `attrs.value.x`) or skip it (`points.x`).
 */
import { FloeError } from '../../errors.js';
import {
  currentSchema,
  defaultSpec,
  type TableMetadata,
  withProperties,
  withSchema,
} from '../spec/metadata.js';
import { buildSchema, type FieldInput, type Schema, type TypeInput } from '../spec/schema.js';
import {
  decimalParts,
  type IcebergType,
  isList,
  isMap,
  isStruct,
  type NestedField,
  type PrimitiveType,
} from '../spec/types.js';
import { unionByNameUpdate } from './union-by-name.js';

export interface SchemaUpdate {
  /** New optional columns; `parent` is the dotted path of a struct column to add into. */
  readonly addColumns?: readonly { name: string; type: TypeInput; parent?: string; doc?: string }[];
  /** Type promotions of existing primitive columns (dotted names). */
  readonly widen?: readonly { name: string; type: PrimitiveType }[];
  /** Columns (dotted paths) to remove from the schema. */
  readonly dropColumns?: readonly string[];
  /**
   * Columns (dotted paths, nested ones too) to rename; `to` is the new name of the field itself.
   * The field id stays, so every data file written under the old name reads under the new one.
   */
  readonly renameColumns?: readonly { name: string; to: string }[];
  /**
   * Iceberg's union by name: every field of `schema` (matched by name, at every level) that the
   * table lacks is added (optional at the top), a narrower existing type is widened, a required
   * field the incoming schema has as optional becomes optional. Nothing is dropped; a type that
   * cannot be promoted is an error. Applied before the other changes of the update.
   */
  readonly unionByName?: { readonly fields: readonly FieldInput[] };
  /**
   * Required columns (dotted paths) that become optional (never the other way: old rows may be
   * null); `tags.element` / `attrs.value` make a list's elements or a map's values optional.
   */
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
  if (update.unionByName) {
    const u = unionByNameUpdate(schema.fields, update.unionByName.fields, table);
    update = {
      ...update,
      unionByName: undefined,
      widen: [...u.widen, ...(update.widen ?? [])],
      makeOptional: [...u.makeOptional, ...(update.makeOptional ?? [])],
      addColumns: [...u.addColumns, ...(update.addColumns ?? [])],
    };
  }
  let lastId = metadata['last-column-id'];
  let fields = schema.fields;
  let changed = false;

  for (const w of update.widen ?? []) {
    fields = mapField(
      fields,
      fieldPath(fields, w.name),
      (f) => {
        // `tags.element` / `attrs.value`: the primitive a list or map column holds.
        if (isList(f.type) && w.name.endsWith('.element'))
          return { ...f, type: widenIn(f.type, 'element', w) };
        if (isMap(f.type) && w.name.endsWith('.value')) return { ...f, type: widenIn(f.type, 'value', w) };
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

  function widenIn<T extends IcebergType & object>(
    t: T,
    key: 'element' | 'value',
    w: { name: string; type: PrimitiveType },
  ): T {
    const from = (t as unknown as Record<string, IcebergType>)[key]!;
    if (from === w.type) return t;
    if (!canPromote(from, w.type))
      throw new FloeError(
        'data-invalid',
        `cannot change "${w.name}" from ${String(from)} to ${w.type}: Iceberg allows only int→long, float→double and wider decimals`,
        { context: { table, column: w.name } },
      );
    changed = true;
    return { ...t, [key]: w.type };
  }

  for (const r of update.renameColumns ?? []) {
    if (!r.to || r.to.includes('.'))
      throw new FloeError(
        'config-invalid',
        `cannot rename "${r.name}" to "${r.to}": give the new name of the field itself, without a path`,
        { context: { table, column: r.name } },
      );
    const path = fieldPath(fields, r.name);
    const leaf = path.pop()!;
    fields = mapStructFields(
      fields,
      path,
      (siblings) => {
        if (siblings.some((f) => f.name === r.to))
          throw new FloeError(
            'data-invalid',
            `cannot rename "${r.name}" to "${r.to}": a column of that name exists beside it`,
            { context: { table, column: r.name } },
          );
        return mapField(siblings, [leaf], (f) => ({ ...f, name: r.to }), table, r.name);
      },
      table,
      r.name,
    );
    changed = true;
  }
  for (const name of update.makeOptional ?? []) {
    fields = mapField(
      fields,
      fieldPath(fields, name),
      (f) => {
        // `tags.element` / `attrs.value`: the elements or values of a list or map column.
        if (isList(f.type) && name.endsWith('.element')) {
          if (!f.type['element-required']) return f;
          changed = true;
          return { ...f, type: { ...f.type, 'element-required': false } };
        }
        if (isMap(f.type) && name.endsWith('.value')) {
          if (!f.type['value-required']) return f;
          changed = true;
          return { ...f, type: { ...f.type, 'value-required': false } };
        }
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
    fields = mapStructFields(
      fields,
      add.parent ? fieldPath(fields, add.parent) : [],
      (list) => insert(list, add.parent ? `${add.parent}.` : ''),
      table,
      add.parent ?? add.name,
    );
    changed = true;
  }
  for (const name of update.dropColumns ?? []) {
    const path = fieldPath(fields, name);
    const leaf = path.pop()!;
    fields = mapStructFields(
      fields,
      path,
      (siblings) => {
        const f = siblings.find((x) => x.name === leaf);
        if (!f)
          throw new FloeError('not-found', `column "${name}" does not exist`, {
            context: { table, column: name },
          });
        const ids = new Set([f.id, ...nestedIds(f.type)]);
        if (defaultSpec(metadata).fields.some((p) => ids.has(p['source-id'])))
          throw new FloeError(
            'data-invalid',
            `cannot drop column "${name}": the table is partitioned by it; keep the column, or recreate the table`,
            { context: { table, column: name } },
          );
        if (schema['identifier-field-ids']?.some((id) => ids.has(id)))
          throw new FloeError(
            'data-invalid',
            `cannot drop column "${name}": it is (or holds) an identifier field of the table`,
            { context: { table, column: name } },
          );
        if (path.length > 0 && siblings.length === 1)
          throw new FloeError(
            'data-invalid',
            `cannot drop "${name}": it is the only field of its struct; drop the struct instead`,
            { context: { table, column: name } },
          );
        return siblings.filter((x) => x !== f);
      },
      table,
      name,
    );
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

/** Every field id inside `t` (struct members, list elements, map keys and values). */
function nestedIds(t: IcebergType): number[] {
  if (isStruct(t)) return t.fields.flatMap((f) => [f.id, ...nestedIds(f.type)]);
  if (isList(t)) return [t['element-id'], ...nestedIds(t.element)];
  if (isMap(t)) return [t['key-id'], t['value-id'], ...nestedIds(t.key), ...nestedIds(t.value)];
  return [];
}

function notFound(full: string, table: string): FloeError {
  return new FloeError('not-found', `column "${full}" does not exist`, { context: { table, column: full } });
}

/** Applies `fn` to the field at `path` (`full` is the whole path, for errors). */
function mapField(
  fields: readonly NestedField[],
  path: readonly string[],
  fn: (f: NestedField) => NestedField,
  table: string,
  full = path.join('.'),
): NestedField[] {
  const [head, ...rest] = path;
  const i = fields.findIndex((f) => f.name === head);
  if (i < 0) throw notFound(full, table);
  const f = fields[i]!;
  const next =
    rest.length === 0
      ? fn(f)
      : { ...f, type: mapStructIn(f.type, (list) => mapField(list, rest, fn, table, full), table, full) };
  const out = [...fields];
  out[i] = next;
  return out;
}

/**
 * Applies `fn` to the member list of the struct at `path` (the top level when empty); a list's
 * element or a map's value struct counts as the struct of its column.
 */
function mapStructFields(
  fields: readonly NestedField[],
  path: readonly string[],
  fn: (fields: readonly NestedField[]) => NestedField[],
  table: string,
  full: string,
): NestedField[] {
  if (path.length === 0) return fn(fields);
  return mapField(fields, path, (f) => ({ ...f, type: mapStructIn(f.type, fn, table, full) }), table, full);
}

/** The type `t` with `fn` applied to the members of its struct: `t` itself, or a list element's / map value's. */
function mapStructIn(
  t: IcebergType,
  fn: (fields: readonly NestedField[]) => NestedField[],
  table: string,
  full: string,
): IcebergType {
  if (isStruct(t)) return { type: 'struct', fields: fn(t.fields) };
  if (isList(t) && isStruct(t.element))
    return { ...t, element: { type: 'struct', fields: fn(t.element.fields) } };
  if (isMap(t) && isStruct(t.value)) return { ...t, value: { type: 'struct', fields: fn(t.value.fields) } };
  throw new FloeError('not-found', `column "${full}" does not exist: its parent is not a struct`, {
    context: { table, column: full },
  });
}

/**
 * A dotted path as field names only: an `element` / `value` segment right after a list / map
 * column names the struct it holds, which mapStructIn enters anyway, so it is dropped.
 */
function fieldPath(fields: readonly NestedField[], dotted: string): string[] {
  // A top-level column whose own name holds a dot (possible in L2 SQL) is that column.
  if (fields.some((f) => f.name === dotted)) return [dotted];
  const out: string[] = [];
  let level: readonly NestedField[] | undefined = fields;
  const parts = dotted.split('.');
  for (let i = 0; i < parts.length; i++) {
    const f: NestedField | undefined = level?.find((x) => x.name === parts[i]);
    out.push(parts[i]!);
    let t: IcebergType | undefined = f?.type;
    if (t && isList(t)) {
      if (parts[i + 1] === 'element') i++;
      t = t.element;
    } else if (t && isMap(t)) {
      if (parts[i + 1] === 'value') i++;
      t = t.value;
    }
    level = t && isStruct(t) ? t.fields : undefined;
  }
  return out;
}
