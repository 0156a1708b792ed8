/**
 * Values into the table's column types where inference said "string" for a mixed field: the
 * record kept the original number/object, and the column holds its text (objects as JSON).
 * Compiled once per run from the table schema; only string-typed paths do any work.
 */
import type { IcebergType, Schema } from '../iceberg/index.js';

type Fix = (v: unknown) => unknown;

export function compileCoercion(schema: Schema): (row: Record<string, unknown>) => Record<string, unknown> {
  const fixes = schema.fields
    .map((f) => [f.name, fixFor(f.type)] as const)
    .filter((x): x is readonly [string, Fix] => x[1] !== undefined);
  if (fixes.length === 0) return (r) => r;
  return (row) => {
    for (const [name, fix] of fixes) {
      const v = row[name];
      if (v !== null && v !== undefined) row[name] = fix(v);
    }
    return row;
  };
}

function fixFor(t: IcebergType): Fix | undefined {
  if (t === 'string') return (v) => (typeof v === 'object' ? JSON.stringify(v) : v);
  if (typeof t === 'string') return undefined;
  if (t.type === 'struct') {
    const inner = t.fields
      .map((f) => [f.name, fixFor(f.type)] as const)
      .filter((x): x is readonly [string, Fix] => x[1] !== undefined);
    if (!inner.length) return undefined;
    return (v) => {
      if (typeof v !== 'object' || Array.isArray(v)) return v;
      const o = v as Record<string, unknown>;
      for (const [n, fix] of inner) if (o[n] !== null && o[n] !== undefined) o[n] = fix(o[n]);
      return o;
    };
  }
  if (t.type === 'list') {
    const el = fixFor(t.element);
    return el
      ? (v) => (Array.isArray(v) ? v.map((x) => (x === null || x === undefined ? x : el(x))) : v)
      : undefined;
  }
  return undefined;
}
