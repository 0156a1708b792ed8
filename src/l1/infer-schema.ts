/**
 * Schema inference over API records, deterministic for a given input: fields in order of first
 * appearance; integers → long, fractions → double, int+float → double; nested objects →
 * struct, arrays → list of the merged element type; any other conflict → string (the value is
 * kept as text, objects as JSON). A field that has only ever been null (or an empty array) is
 * left out until a later record shows its type: guessing would fix a wrong type forever.
 */
import type { FieldInput, TypeInput } from '../iceberg/index.js';

export type Inferred =
  | { readonly kind: 'null' }
  | { readonly kind: 'boolean' | 'long' | 'double' | 'string' }
  | { readonly kind: 'struct'; readonly fields: Map<string, Inferred> }
  | { readonly kind: 'list'; readonly element: Inferred };

const NULL: Inferred = { kind: 'null' };
const BOOLEAN: Inferred = { kind: 'boolean' };
const LONG: Inferred = { kind: 'long' };
const DOUBLE: Inferred = { kind: 'double' };
const STRING: Inferred = { kind: 'string' };

export function inferValue(v: unknown): Inferred {
  if (v === null || v === undefined) return NULL;
  switch (typeof v) {
    case 'boolean':
      return BOOLEAN;
    case 'number':
      return Number.isInteger(v) ? LONG : DOUBLE;
    case 'bigint':
      return LONG;
    case 'string':
      return STRING;
    case 'object': {
      if (Array.isArray(v)) {
        let element: Inferred = NULL;
        for (const x of v) element = mergeInferred(element, inferValue(x));
        return { kind: 'list', element };
      }
      const fields = new Map<string, Inferred>();
      for (const [k, x] of Object.entries(v as object)) fields.set(k, inferValue(x));
      return { kind: 'struct', fields };
    }
    default:
      return STRING;
  }
}

export function mergeInferred(a: Inferred, b: Inferred): Inferred {
  if (a.kind === 'null') return b;
  if (b.kind === 'null') return a;
  if (a.kind === b.kind) {
    if (a.kind === 'struct' && b.kind === 'struct') {
      let changed = false;
      const fields = new Map(a.fields);
      for (const [k, t] of b.fields) {
        const prev = fields.get(k);
        const next = prev ? mergeInferred(prev, t) : t;
        if (next !== prev) {
          fields.set(k, next);
          changed = true;
        }
      }
      return changed ? { kind: 'struct', fields } : a;
    }
    if (a.kind === 'list' && b.kind === 'list') {
      const element = mergeInferred(a.element, b.element);
      return element === a.element ? a : { kind: 'list', element };
    }
    return a;
  }
  if ((a.kind === 'long' && b.kind === 'double') || (a.kind === 'double' && b.kind === 'long')) return DOUBLE;
  return STRING;
}

/** Accumulates record types page by page. */
export class SchemaInferrer {
  private root: Inferred = { kind: 'struct', fields: new Map() };

  observe(record: Record<string, unknown>): void {
    this.root = mergeInferred(this.root, inferValue(record));
  }

  observeAll(records: readonly Record<string, unknown>[]): void {
    for (const r of records) this.observe(r);
  }

  get inferred(): Inferred {
    return this.root;
  }

  /** Iceberg fields (optional, no ids) for everything typed so far. */
  fields(): FieldInput[] {
    return toFields(this.root);
  }
}

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
      return t.kind;
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
