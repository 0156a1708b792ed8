/**
 * Rows → staging JSON. One encoder closure per column, compiled once per write from the schema,
 * so the per-value work is a type-specific function call and nothing else. Values JSON cannot
 * carry exactly (64-bit ints, decimals, dates, timestamps, NaN) travel as canonical strings that
 * DuckDB casts while parsing.
 */
import { FloeError } from '../../errors.js';
import type { Schema } from '../spec/schema.js';
import {
  decimalParts,
  type IcebergType,
  isList,
  isMap,
  isStruct,
  type PrimitiveType,
} from '../spec/types.js';
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

/**
 * Rows → NDJSON lines without building an intermediate object per row: each column appends
 * `"name":value` straight to the line. Extra columns (partition number, input sequence) are
 * appended by the caller's `extra` text.
 */
export function compileLineEncoder(
  schema: Schema,
  /** Columns passed through as they are (converted later by DuckDB; see staged-conversions.ts). */
  raw?: ReadonlySet<string>,
): (row: Record<string, unknown>, extra?: string) => string {
  const cols = schema.fields.map((f) => {
    const key = `${JSON.stringify(f.name)}:`;
    const t = f.type;
    const enc = encoderFor(t, f.name);
    let toJson: (v: unknown) => string;
    if (raw?.has(f.name)) toJson = (v) => JSON.stringify(v) ?? 'null';
    else if (t === 'string') toJson = (v) => JSON.stringify(typeof v === 'string' ? v : enc(v));
    else if (t === 'boolean')
      toJson = (v) => (v === true ? 'true' : v === false ? 'false' : JSON.stringify(enc(v)));
    else if (t === 'int' || t === 'long' || t === 'double' || t === 'float') {
      toJson = (v) =>
        typeof v === 'number' &&
        Number.isFinite(v) &&
        (t === 'double' || t === 'float' || Number.isSafeInteger(v))
          ? Object.is(v, -0)
            ? '-0.0' // String(-0) is "0": the sign would be lost
            : String(v)
          : JSON.stringify(enc(v));
    } else toJson = (v) => JSON.stringify(enc(v));
    return { key, toJson, name: f.name };
  });
  return (row, extra) => {
    let line = '{';
    let first = true;
    for (const c of cols) {
      const v = row[c.name];
      if (v === null || v === undefined) continue;
      line += first ? c.key : `,${c.key}`;
      line += c.toJson(v);
      first = false;
    }
    if (extra) line += first ? extra : `,${extra}`;
    return `${line}}\n`;
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
        // Nested values in a string column are kept as their JSON text (as DuckDB's JSON reader does).
        return JSON.stringify(v);
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
    default: {
      // Strings already in a form DuckDB parses exactly skip the general conversion: APIs send
      // ISO dates and decimal strings, and this is the per-value hot path of every load.
      const fast = fastPath(t);
      return fast ? (v) => (typeof v === 'string' && fast(v) ? v : canonical(v)) : canonical;
    }
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}:\d{2}(\.\d{1,6})?$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?$/;
const TIMESTAMPTZ = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

function fastPath(t: PrimitiveType): ((s: string) => boolean) | undefined {
  switch (t) {
    case 'date':
      return (s) => DATE.test(s);
    case 'time':
      return (s) => TIME.test(s);
    case 'timestamp':
      return (s) => TIMESTAMP.test(s);
    case 'timestamptz':
      return (s) => TIMESTAMPTZ.test(s);
    default: {
      const d = decimalParts(t);
      if (!d) return undefined;
      // Digits that fit precision and scale exactly (DuckDB would round more fraction digits).
      const re = new RegExp(
        `^-?\\d{1,${Math.max(1, d.precision - d.scale)}}(\\.\\d{1,${Math.max(1, d.scale)}})?$`,
      );
      return d.scale === 0
        ? (s) => /^-?\d{1,38}$/.test(s) && s.replace('-', '').length <= d.precision
        : (s) => re.test(s);
    }
  }
}

function bad(where: string, expected: string, v: unknown): FloeError {
  const got = Array.isArray(v) ? 'an array' : typeof v;
  return new FloeError('data-invalid', `column "${where}" expects ${expected}, got ${got}`, {
    context: { column: where },
  });
}
