/**
 * Inferred record types → Iceberg fields. The rules (applied by row-line.ts while it encodes):
 * fields in order of first appearance; integers → long (beyond 64 bits: decimal(38, 0)),
 * floats → double, int+float → double (unless an integer beyond 2^53 was seen); nested objects → struct, arrays → list of the merged element type; any other
 * conflict → string (the value kept as text, objects as JSON). A field that has only ever been
 * null (or an empty array) is left out until a later record shows its type: guessing would fix
 * a wrong type forever.
 */
import type { FieldInput, TypeInput } from '../iceberg/index.js';

export type Inferred =
  | { readonly kind: 'null' }
  | { readonly kind: 'boolean' | 'long' | 'decimal' | 'double' | 'string' | 'timestamptz' | 'date' }
  | { readonly kind: 'struct'; readonly fields: Map<string, Inferred> }
  | { readonly kind: 'list'; readonly element: Inferred };

export function toFields(t: Inferred): FieldInput[] {
  if (t.kind !== 'struct') return [];
  const out: FieldInput[] = [];
  for (const [name, f] of t.fields) {
    const type = toType(f);
    if (type !== undefined) out.push({ name, type, required: false });
  }
  return out;
}

export function toType(t: Inferred): TypeInput | undefined {
  switch (t.kind) {
    case 'null':
      return undefined;
    case 'boolean':
    case 'long':
    case 'double':
    case 'string':
    case 'timestamptz': // declared by source.response.fieldTypes
    case 'date':
      return t.kind;
    case 'decimal':
      // Integers beyond 64 bits (row-line.ts): exact up to 38 digits.
      return 'decimal(38, 0)';
    case 'struct': {
      const fields = toFields(t);
      return fields.length ? { type: 'struct', fields } : undefined;
    }
    case 'list': {
      const element = toType(t.element);
      return element === undefined ? undefined : { type: 'list', element };
    }
  }
}
