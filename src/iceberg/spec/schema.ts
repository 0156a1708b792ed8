/**
 * Schemas (spec §Schemas): a struct with a schema id. Validation, id assignment and the
 * id/name indexes every other module uses live here.
 */
import { FloeError } from '../../errors.js';
import {
  type FieldId,
  type IcebergType,
  isKnownPrimitive,
  isList,
  isMap,
  isPrimitive,
  isStruct,
  type NestedField,
  type PrimitiveType,
} from './types.js';

export interface Schema {
  readonly type: 'struct';
  readonly 'schema-id': number;
  readonly 'identifier-field-ids'?: readonly FieldId[];
  readonly fields: readonly NestedField[];
}

/** A field as a user declares it: ids are optional and assigned by `buildSchema`. */
export interface FieldInput {
  readonly id?: number;
  readonly name: string;
  readonly type: TypeInput;
  readonly required?: boolean;
  readonly doc?: string;
}
export type TypeInput =
  | string
  | { type: 'struct'; fields: readonly FieldInput[] }
  | { type: 'list'; element: TypeInput; 'element-required'?: boolean; 'element-id'?: number }
  | {
      type: 'map';
      key: TypeInput;
      value: TypeInput;
      'value-required'?: boolean;
      'key-id'?: number;
      'value-id'?: number;
    };

/**
 * Builds a schema from user fields, assigning fresh ids the way Java and PyIceberg do: all of
 * a struct's own fields first, then recursing into children (so top-level columns get 1..N).
 */
export function buildSchema(fields: readonly FieldInput[], schemaId = 0, startId = 1): Schema {
  let next = startId;
  const assignStruct = (input: readonly FieldInput[]): NestedField[] => {
    const ids = input.map(() => next++);
    return input.map((f, i) => ({
      id: ids[i]!,
      name: f.name,
      required: f.required ?? false,
      type: assignType(f.type, f.name),
      ...(f.doc ? { doc: f.doc } : {}),
    }));
  };
  const assignType = (t: TypeInput, where: string): IcebergType => {
    if (typeof t === 'string') {
      const name = normalizePrimitive(t);
      if (!isKnownPrimitive(name)) {
        throw new FloeError('data-invalid', `unknown Iceberg type "${t}" for field "${where}"`, {
          context: { field: where },
        });
      }
      return name;
    }
    switch (t.type) {
      case 'struct':
        return { type: 'struct', fields: assignStruct(t.fields) };
      case 'list': {
        const elementId = next++;
        return {
          type: 'list',
          'element-id': elementId,
          element: assignType(t.element, `${where}.element`),
          'element-required': t['element-required'] ?? false,
        };
      }
      case 'map': {
        const keyId = next++;
        const valueId = next++;
        return {
          type: 'map',
          'key-id': keyId,
          key: assignType(t.key, `${where}.key`),
          'value-id': valueId,
          value: assignType(t.value, `${where}.value`),
          'value-required': t['value-required'] ?? false,
        };
      }
      default:
        throw new FloeError('data-invalid', `unknown Iceberg type ${JSON.stringify(t)} for field "${where}"`);
    }
  };
  const schema: Schema = { type: 'struct', 'schema-id': schemaId, fields: assignStruct(fields) };
  validateSchema(schema);
  return schema;
}

/** `decimal(10,2)` → `decimal(10, 2)`; lower-case names. */
function normalizePrimitive(t: string): string {
  const trimmed = t.trim().toLowerCase();
  const m = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(trimmed);
  return m ? `decimal(${m[1]}, ${m[2]})` : trimmed;
}

/** Throws a clear error for duplicate names in a struct, duplicate ids, and unknown types. */
export function validateSchema(schema: Schema, table?: string): void {
  const seen = new Set<number>();
  const fail = (msg: string): never => {
    throw new FloeError('data-invalid', msg, { context: { table } });
  };
  const useId = (id: unknown, where: string) => {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0)
      fail(`invalid field id ${String(id)} at ${where}`);
    if (seen.has(id as number)) fail(`duplicate field id ${String(id)} at ${where}`);
    seen.add(id as number);
  };
  const visit = (t: IcebergType, where: string) => {
    if (isPrimitive(t)) {
      if (!isKnownPrimitive(t)) fail(`unknown Iceberg type "${String(t)}" at "${where}"`);
      return;
    }
    if (isStruct(t)) {
      const names = new Set<string>();
      for (const f of t.fields) {
        const path = where ? `${where}.${f.name}` : f.name;
        if (typeof f.name !== 'string' || f.name.length === 0)
          fail(`a field at "${where || '<root>'}" has no name`);
        if (names.has(f.name))
          fail(`duplicate field name "${path}": each name must be unique within its struct`);
        names.add(f.name);
        useId(f.id, path);
        visit(f.type, path);
      }
      return;
    }
    if (isList(t)) {
      useId(t['element-id'], `${where}.element`);
      visit(t.element, `${where}.element`);
      return;
    }
    if (isMap(t)) {
      useId(t['key-id'], `${where}.key`);
      useId(t['value-id'], `${where}.value`);
      visit(t.key, `${where}.key`);
      visit(t.value, `${where}.value`);
      return;
    }
    fail(`unknown Iceberg type ${JSON.stringify(t)} at "${where}"`);
  };
  visit(schema as unknown as IcebergType, '');
}

export interface IndexedField {
  readonly id: FieldId;
  /** Dotted name path from the root; list/map children are `element`, `key`, `value`. */
  readonly path: readonly string[];
  readonly type: IcebergType;
  readonly required: boolean;
  /** True when the field sits inside a list or map (its stats are per element, not per row). */
  readonly repeated: boolean;
}

/** Every field id (including element/key/value ids) with its path and type. */
export function indexSchema(schema: { fields: readonly NestedField[] }): Map<FieldId, IndexedField> {
  const out = new Map<FieldId, IndexedField>();
  const visit = (t: IcebergType, path: string[], repeated: boolean) => {
    if (isStruct(t)) {
      for (const f of t.fields) {
        const p = [...path, f.name];
        out.set(f.id, { id: f.id, path: p, type: f.type, required: f.required, repeated });
        visit(f.type, p, repeated);
      }
    } else if (isList(t)) {
      const p = [...path, 'element'];
      out.set(t['element-id'], {
        id: t['element-id'],
        path: p,
        type: t.element,
        required: t['element-required'],
        repeated: true,
      });
      visit(t.element, p, true);
    } else if (isMap(t)) {
      const kp = [...path, 'key'];
      const vp = [...path, 'value'];
      out.set(t['key-id'], { id: t['key-id'], path: kp, type: t.key, required: true, repeated: true });
      out.set(t['value-id'], {
        id: t['value-id'],
        path: vp,
        type: t.value,
        required: t['value-required'],
        repeated: true,
      });
      visit(t.key, kp, true);
      visit(t.value, vp, true);
    }
  };
  visit({ type: 'struct', fields: schema.fields }, [], false);
  return out;
}

/** Finds a top-level or dotted (`a.b`) field by name. */
export function findField(schema: Schema, name: string): NestedField | undefined {
  let fields: readonly NestedField[] = schema.fields;
  let found: NestedField | undefined;
  for (const part of name.split('.')) {
    found = fields.find((f) => f.name === part);
    if (!found) return undefined;
    fields = isStruct(found.type) ? found.type.fields : [];
  }
  return found;
}

export function maxFieldId(schema: { fields: readonly NestedField[] }): number {
  let max = 0;
  for (const id of indexSchema(schema).keys()) max = Math.max(max, id);
  return max;
}

export function primitiveOf(t: IcebergType): PrimitiveType | undefined {
  return isPrimitive(t) ? t : undefined;
}

export interface NameMappingEntry {
  'field-id': number;
  names: string[];
  fields?: NameMappingEntry[];
}

/** `{ nameMapping }` of a table's metadata, to spread into a scan plan (empty without one). */
export function mappingOf(metadata: { readonly properties: Readonly<Record<string, string>> }): {
  nameMapping?: NameMappingEntry[];
} {
  const nameMapping = parseNameMapping(metadata.properties);
  return nameMapping ? { nameMapping } : {};
}

/**
 * A table's `schema.name-mapping.default`, parsed; undefined when it has none or it is not a
 * mapping (readers then fall back to the current schema's names).
 */
export function parseNameMapping(
  properties: Readonly<Record<string, string>>,
): NameMappingEntry[] | undefined {
  const text = properties['schema.name-mapping.default'];
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? (v as NameMappingEntry[]) : undefined;
  } catch {
    return undefined;
  }
}

/** `schema.name-mapping.default` (spec §Column Projection): used by readers of files without ids. */
export function nameMapping(schema: Schema): NameMappingEntry[] {
  const children = (t: IcebergType): NameMappingEntry[] | undefined => {
    if (isStruct(t)) return t.fields.map((f) => entry(f.id, f.name, f.type));
    if (isList(t)) return [entry(t['element-id'], 'element', t.element)];
    if (isMap(t)) return [entry(t['key-id'], 'key', t.key), entry(t['value-id'], 'value', t.value)];
    return undefined;
  };
  const entry = (id: number, name: string, t: IcebergType): NameMappingEntry => {
    const c = children(t);
    return c ? { 'field-id': id, names: [name], fields: c } : { 'field-id': id, names: [name] };
  };
  return schema.fields.map((f) => entry(f.id, f.name, f.type));
}
