/**
 * Bucket hashing (spec §Bucket Transform Details, App. B): which bytes each type hashes.
 * int, long, date, time and timestamps hash as an 8-byte little-endian long, so promoting int
 * to long (or date to timestamp days) never moves a row to another bucket; decimals hash their
 * minimal big-endian two's-complement unscaled bytes; uuids their 16 big-endian bytes.
 */
import { FloeError } from '../../errors.js';
import { murmur3x86_32 } from './murmur3.js';
import { decimalParts, fixedLength, type PrimitiveType } from './types.js';
import { uuidToBytes } from './values.js';

const utf8 = new TextEncoder();

function longBytes(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt.asIntN(64, v), true);
  return b;
}

function asBigInt(type: string, v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw new FloeError('internal', `bucket: ${String(v)} is not a physical ${type} value`, {
    context: { type },
  });
}

/**
 * Minimal big-endian two's-complement bytes of an unscaled decimal, as Java's
 * `BigInteger.toByteArray()` (0 → [0x00], 127 → [0x7f], 128 → [0x00, 0x80], -128 → [0x80]).
 */
export function decimalToBytes(unscaled: bigint): Uint8Array {
  let n = 1;
  while (unscaled >= 1n << BigInt(8 * n - 1) || unscaled < -(1n << BigInt(8 * n - 1))) n++;
  let x = BigInt.asUintN(8 * n, unscaled);
  const out = new Uint8Array(n);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** Big-endian two's-complement bytes (any length) → bigint. */
export function bytesToDecimal(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  let n = 0n;
  for (const byte of b) n = (n << 8n) | BigInt(byte);
  return BigInt.asIntN(8 * b.length, n);
}

/** The bytes the spec hashes for a physical value of `type`. */
export function hashBytes(type: PrimitiveType, v: unknown): Uint8Array {
  switch (type) {
    case 'int':
    case 'long':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return longBytes(asBigInt(type, v));
    case 'float':
    case 'double': {
      // App. B: floats hash as the double's bits (doubleToLongBits: one canonical NaN), so that
      // float→double promotion keeps hashes; -0.0 hashes as 0.0. Bucketing floats is not
      // allowed (§Partition Transforms), this exists for completeness of App. B.
      const d = Number(v);
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, Number.isNaN(d) ? Number.NaN : d === 0 ? 0 : d, true);
      return b;
    }
    case 'string':
      if (typeof v !== 'string') break;
      return utf8.encode(v);
    case 'uuid':
      if (typeof v !== 'string') break;
      return uuidToBytes(v);
    case 'binary':
      if (!(v instanceof Uint8Array)) break;
      return v;
    default:
      if (fixedLength(type) !== undefined && v instanceof Uint8Array) return v;
      if (decimalParts(type)) return decimalToBytes(asBigInt(type, v));
  }
  throw new FloeError('internal', `bucket: cannot hash ${String(v)} as ${type}`, { context: { type } });
}

/** Signed 32-bit murmur3 hash of a physical value, as in the spec's hash table. */
export function hashValue(type: PrimitiveType, v: unknown): number {
  return murmur3x86_32(hashBytes(type, v));
}

/** `(hash & Integer.MAX_VALUE) % n` (spec §Partition Transforms, bucket[N]). */
export function bucketIndex(type: PrimitiveType, v: unknown, n: number): number {
  return (hashValue(type, v) & 0x7fffffff) % n;
}
