/**
 * Iceberg's union by name (Java's UnionByNameVisitor, PyIceberg's `union_by_name`): the changes
 * that let a table hold rows of another schema, matched by field name at every level. Fields the
 * table lacks are added, narrower table types are widened, required fields, list elements and map
 * values the other schema has as optional become optional; nothing is dropped, and field ids of the other schema are ignored.
 * A type that Iceberg cannot promote is an error naming the field.
 */
import { FloeError } from '../../errors.js';
import { buildSchema, type FieldInput, type TypeInput } from '../spec/schema.js';
import {
  type IcebergType,
  isList,
  isMap,
  isStruct,
  type NestedField,
  type PrimitiveType,
} from '../spec/types.js';
import { canPromote } from './update-schema.js';

export interface UnionChanges {
  readonly addColumns: { name: string; type: TypeInput; parent?: string; doc?: string }[];
  readonly widen: { name: string; type: PrimitiveType }[];
  readonly makeOptional: string[];
}

export function unionByNameUpdate(
  existing: readonly NestedField[],
  incoming: readonly FieldInput[],
  table: string,
): UnionChanges {
  // Normalizes type spellings ("decimal(10,2)") and validates the incoming schema.
  const other = buildSchema(incoming).fields;
  const out: UnionChanges = { addColumns: [], widen: [], makeOptional: [] };
  const kind = (t: IcebergType) => (typeof t === 'string' ? t : t.type);
  const fail = (path: string, e: IcebergType, i: IcebergType): never => {
    throw new FloeError(
      'data-invalid',
      `cannot union by name: "${path}" is ${kind(e)} in ${table} but ${kind(i)} in the incoming schema; Iceberg only widens int→long, float→double and decimal precision (same scale). Convert the column, or write it under another name`,
      { context: { table, column: path } },
    );
  };
  const visitFields = (ex: readonly NestedField[], inc: readonly NestedField[], parent: string) => {
    for (const f of inc) {
      const path = parent ? `${parent}.${f.name}` : f.name;
      const e = ex.find((x) => x.name === f.name);
      if (!e) {
        out.addColumns.push({
          name: f.name,
          type: f.type as TypeInput,
          ...(parent ? { parent } : {}),
          ...(f.doc ? { doc: f.doc } : {}),
        });
        continue;
      }
      if (e.required && !f.required) out.makeOptional.push(path);
      visitType(e.type, f.type, path);
    }
  };
  const visitType = (e: IcebergType, i: IcebergType, path: string): void => {
    if (isStruct(e) && isStruct(i)) {
      visitFields(e.fields, i.fields, path);
      return;
    }
    if (isList(e) && isList(i)) {
      // Elements that may be null in the incoming schema make the table's elements optional too.
      if (e['element-required'] && !i['element-required']) out.makeOptional.push(`${path}.element`);
      // Members of a list's struct are addressed through the list column (update-schema.ts).
      const structs = typeof e.element !== 'string' && typeof i.element !== 'string';
      visitType(e.element, i.element, structs ? path : `${path}.element`);
      return;
    }
    if (isMap(e) && isMap(i)) {
      // Map keys cannot change at all (Iceberg allows no key evolution).
      if (kind(e.key) !== kind(i.key) || (typeof e.key === 'string' && e.key !== i.key))
        fail(`${path}.key`, e.key, i.key);
      if (e['value-required'] && !i['value-required']) out.makeOptional.push(`${path}.value`);
      const structs = typeof e.value !== 'string' && typeof i.value !== 'string';
      visitType(e.value, i.value, structs ? path : `${path}.value`);
      return;
    }
    if (typeof e === 'string' && typeof i === 'string') {
      if (e === i || canPromote(i, e)) return; // the table's type already holds the incoming values
      if (canPromote(e, i)) {
        out.widen.push({ name: path, type: i });
        return;
      }
    }
    fail(path, e, i);
  };
  visitFields(existing, other, '');
  return out;
}
