/**
 * Inferred record schema vs. the table's schema: which columns to add (schema evolution) and
 * which differences no data can bridge. Iceberg can widen int→long and float→double only, so a
 * column that turned from long to double, or from a struct to text, cannot take the new data;
 * that is reported with the column and the fix rather than written lossy.
 */
import type { FieldInput, NestedField, Schema, SchemaUpdate, TypeInput } from '../iceberg/index.js';

export interface Reconciliation {
  readonly update: SchemaUpdate;
  /** Dotted names of the new columns (for "schemaEvolution is off" errors). */
  readonly newColumns: string[];
  /** Differences that cannot be written: column and explanation. */
  readonly conflicts: { column: string; message: string }[];
}

export function reconcile(table: Schema, inferred: readonly FieldInput[]): Reconciliation {
  const addColumns: { name: string; type: TypeInput; parent?: string }[] = [];
  const newColumns: string[] = [];
  const conflicts: { column: string; message: string }[] = [];

  const visit = (
    existing: readonly NestedField[],
    fields: readonly FieldInput[],
    parent: string | undefined,
  ) => {
    for (const f of fields) {
      const path = parent ? `${parent}.${f.name}` : f.name;
      const cur = existing.find((e) => e.name === f.name);
      if (!cur) {
        addColumns.push({ name: f.name, type: f.type, ...(parent ? { parent } : {}) });
        newColumns.push(path);
        continue;
      }
      const ct = cur.type;
      const it = f.type;
      if (typeof it === 'string') {
        if (typeof ct !== 'string') {
          conflicts.push({
            column: path,
            message: `column "${path}" is a ${ct.type} in the table but the API now sends ${it} values`,
          });
        } else if (!writable(ct, it)) {
          conflicts.push({
            column: path,
            message: `column "${path}" is ${ct} in the table but the API now sends ${it} values, which ${ct} cannot hold (Iceberg only widens int→long, float→double and decimal precision)`,
          });
        }
        continue;
      }
      if (typeof ct === 'string') {
        // Nested values into a string column are kept as JSON text.
        if (ct !== 'string')
          conflicts.push({
            column: path,
            message: `column "${path}" is ${ct} in the table but the API now sends ${it.type} values`,
          });
        continue;
      }
      if (it.type === 'struct' && ct.type === 'struct') visit(ct.fields, it.fields, path);
      else if (it.type === 'list' && ct.type === 'list') {
        if (
          typeof it.element === 'object' &&
          it.element.type === 'struct' &&
          typeof ct.element === 'object' &&
          ct.element.type === 'struct'
        ) {
          // New fields inside list elements would need ids under the element struct; report them.
          const before = addColumns.length;
          visit(ct.element.fields, it.element.fields, `${path}.element`);
          for (const a of addColumns.splice(before)) {
            conflicts.push({
              column: `${path}.element.${a.name}`,
              message: `new field "${a.name}" inside the list "${path}" cannot be added automatically yet`,
            });
          }
        } else if (
          typeof it.element === 'string' &&
          typeof ct.element === 'string' &&
          !writable(ct.element, it.element)
        ) {
          conflicts.push({
            column: path,
            message: `list "${path}" holds ${ct.element} in the table but the API now sends ${it.element}`,
          });
        }
      } else
        conflicts.push({
          column: path,
          message: `column "${path}" is a ${ct.type} in the table but the API now sends a ${it.type}`,
        });
    }
  };
  visit(table.fields, inferred, undefined);
  return { update: { addColumns }, newColumns, conflicts };
}

/** Can a column of type `col` hold values inferred as `val` without loss? */
function writable(col: string, val: string): boolean {
  if (col === val || col === 'string') return true;
  if (col === 'double' && (val === 'long' || val === 'int' || val === 'float')) return true;
  // Declared narrower types (destination.columns) into the wider column a table already has.
  if (col === 'long' && val === 'int') return true;
  // decimal(38, 0) holds every long exactly.
  if (col === 'decimal(38, 0)' && (val === 'long' || val === 'int')) return true;
  return false;
}
