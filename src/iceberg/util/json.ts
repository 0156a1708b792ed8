/**
 * BigInt-safe JSON for Iceberg metadata: snapshot ids and sequence numbers are 63-bit, so a
 * plain `JSON.parse` would silently round them. Integers that fit a double's safe range parse
 * as numbers, larger ones as bigint; `stringify` writes bigints as bare JSON numbers.
 */
import {
  isInteger,
  isSafeNumber,
  parse as losslessParse,
  stringify as losslessStringify,
} from 'lossless-json';

export function parseJson(text: string): unknown {
  return losslessParse(text, null, parseNumber);
}

function parseNumber(value: string): number | bigint {
  if (isInteger(value) && !isSafeNumber(value)) return BigInt(value);
  return Number(value);
}

/**
 * The native serializer with bigints passed through as marked strings, then unquoted: table
 * metadata with a thousand snapshots serializes several times faster than with lossless-json,
 * which matters because every commit writes it. A key or string that already holds the marker
 * (never in practice) takes the slow, exact path instead.
 */
const BIG = '\u0000floe-bigint:';
const BIG_TEXT = /"\\u0000floe-bigint:(-?\d+)"/g;

export function stringifyJson(value: unknown, indent?: number): string {
  let clash = false;
  const out = JSON.stringify(
    value,
    (key, v: unknown) => {
      if (key.includes(BIG)) clash = true;
      if (typeof v === 'bigint') return `${BIG}${v}`;
      if (typeof v === 'string' && v.includes(BIG)) clash = true;
      return v;
    },
    indent,
  );
  if (out === undefined) throw new TypeError('value is not JSON-serializable');
  if (!clash) return out.replace(BIG_TEXT, '$1');
  const exact = losslessStringify(value, undefined, indent);
  if (exact === undefined) throw new TypeError('value is not JSON-serializable');
  return exact;
}

/** A JSON integer as bigint, whichever way it was parsed. */
export function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw new TypeError(`expected an integer, got ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
}
