/**
 * Rows → staging JSON. One encoder closure per column, compiled once per write from the schema,
 * so the per-value work is a type-specific function call and nothing else. Values JSON cannot
 * carry exactly (64-bit ints, decimals, dates, timestamps, NaN) travel as canonical strings that
 * DuckDB casts while parsing.
 */
import { FloeError } from '../../errors.js';
import type { Schema } from '../spec/schema.js';
import { type IcebergType, isList, isMap, isStruct, type PrimitiveType } from '../spec/types.js';
import { toCanonical } from '../spec/values.js';

type Encoder = (v: unknown) => unknown;

export function compileRowEncoder(schema: Schema): (row: Record<string, unknown>) => Record<string, unknown> {
  const cols = schema.fields.map((f) => [f.name, encoderFor(f.type, f.name)] as const);
  return (row) => {
    const out: Record<string, unknown> = {};
    for (const [name, enc] of cols) {
      const v = row[name];
      out[name] = v === null || v === undefined ? null : enc(v);
    }
    return out;
  };
}

function encoderFor(t: IcebergType, where: string): Encoder {
  if (isStruct(t)) {
    const fields = t.fields.map((f) => [f.name, encoderFor(f.type, `${where}.${f.name}`)] as const);
    return (v) => {
      if (typeof v !== 'object' || Array.isArray(v)) throw bad(where, 'an object', v);
      const o = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, enc] of fields) {
        const x = o[name];
        out[name] = x === null || x === undefined ? null : enc(x);
      }
      return out;
    };
  }
  if (isList(t)) {
    const enc = encoderFor(t.element, `${where}[]`);
    return (v) => {
      if (!Array.isArray(v)) throw bad(where, 'an array', v);
      return v.map((x) => (x === null || x === undefined ? null : enc(x)));
    };
  }
  if (isMap(t)) {
    const k = encoderFor(t.key, `${where}.key`);
    const val = encoderFor(t.value, `${where}.value`);
    return (v) => {
      const entries: Iterable<[unknown, unknown]> =
        v instanceof Map
          ? v.entries()
          : Array.isArray(v)
            ? (v as [unknown, unknown][])
            : Object.entries(v as object);
      const out: { key: unknown; value: unknown }[] = [];
      for (const [key, value] of entries) {
        if (key === null || key === undefined)
          throw new FloeError('data-invalid', `map keys cannot be null (column "${where}")`);
        out.push({ key: k(key), value: value === null || value === undefined ? null : val(value) });
      }
      return out;
    };
  }
  return primitiveEncoder(t as PrimitiveType, where);
}

function primitiveEncoder(t: PrimitiveType, where: string): Encoder {
  const canonical = (v: unknown) => {
    try {
      return toCanonical(t, v);
    } catch (e) {
      if (e instanceof FloeError) throw e.withContext({ column: where });
      throw e;
    }
  };
  switch (t) {
    case 'string':
      return (v) => {
        if (typeof v === 'string') return v;
        if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
        throw bad(where, 'a string', v);
      };
    case 'boolean':
      return (v) => {
        if (typeof v === 'boolean') return v;
        throw bad(where, 'a boolean', v);
      };
    case 'int':
      return (v) => (typeof v === 'number' ? v : canonical(v));
    case 'long':
      return (v) =>
        typeof v === 'number' && Number.isSafeInteger(v)
          ? v
          : typeof v === 'bigint'
            ? String(v)
            : String(canonical(v));
    case 'float':
    case 'double':
      // NaN and ±Infinity are not JSON; DuckDB casts their names.
      return (v) => (typeof v === 'number' && Number.isFinite(v) ? v : canonical(v));
    case 'binary':
      return canonical;
    default:
      return (v) => canonical(v);
  }
}

function bad(where: string, expected: string, v: unknown): FloeError {
  const got = Array.isArray(v) ? 'an array' : typeof v;
  return new FloeError('data-invalid', `column "${where}" expects ${expected}, got ${got}`, {
    context: { column: where },
  });
}
