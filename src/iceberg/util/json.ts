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

export function stringifyJson(value: unknown, indent?: number): string {
  const out = losslessStringify(value, undefined, indent);
  if (out === undefined) throw new TypeError('value is not JSON-serializable');
  return out;
}

/** A JSON integer as bigint, whichever way it was parsed. */
export function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw new TypeError(`expected an integer, got ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
}
