/**
 * Single-value binary serialization (spec App. D), used for column bounds (data_file
 * lower_bounds/upper_bounds) and partition summaries, from and to physical values (values.ts).
 */
import { FloeError } from '../../errors.js';
import { bytesToDecimal, decimalToBytes } from './bucket.js';
import { decimalParts, fixedLength, type PrimitiveType } from './types.js';
import { bytesToUuid, type PhysicalValue, uuidToBytes } from './values.js';

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function wrong(type: string, v: unknown): FloeError {
  return new FloeError('internal', `cannot serialize ${String(v)} as a ${type} bound`, { context: { type } });
}

function asBig(type: string, v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw wrong(type, v);
}

function fixedWidth(n: number, write: (view: DataView) => void): Uint8Array {
  const b = new Uint8Array(n);
  write(new DataView(b.buffer));
  return b;
}

/**
 * Physical value → bytes: boolean 1 byte; int/date 4-byte LE; long/time/timestamp(tz) 8-byte LE;
 * float/double IEEE 754 LE (-0.0 keeps its sign bit, so it sorts below 0.0 as a lower bound);
 * string UTF-8; binary/fixed raw; decimal minimal big-endian two's complement of the unscaled
 * value; uuid 16 bytes big-endian.
 */
export function serializeBound(type: PrimitiveType, v: unknown): Uint8Array {
  switch (type) {
    case 'boolean':
      if (typeof v !== 'boolean') throw wrong(type, v);
      return Uint8Array.of(v ? 1 : 0);
    case 'int':
    case 'date': {
      const n = Number(asBig(type, v));
      return fixedWidth(4, (d) => d.setInt32(0, n, true));
    }
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz': {
      const n = BigInt.asIntN(64, asBig(type, v));
      return fixedWidth(8, (d) => d.setBigInt64(0, n, true));
    }
    case 'float':
      if (typeof v !== 'number') throw wrong(type, v);
      return fixedWidth(4, (d) => d.setFloat32(0, v, true));
    case 'double':
      if (typeof v !== 'number') throw wrong(type, v);
      return fixedWidth(8, (d) => d.setFloat64(0, v, true));
    case 'string':
      if (typeof v !== 'string') throw wrong(type, v);
      return utf8.encode(v);
    case 'uuid':
      if (typeof v !== 'string') throw wrong(type, v);
      return uuidToBytes(v);
    case 'binary':
      if (!(v instanceof Uint8Array)) throw wrong(type, v);
      return v;
    default:
      if (fixedLength(type) !== undefined) {
        if (!(v instanceof Uint8Array)) throw wrong(type, v);
        return v;
      }
      if (decimalParts(type)) return decimalToBytes(asBig(type, v));
      throw wrong(type, v);
  }
}

function corrupt(type: string, bytes: Uint8Array, why: string): FloeError {
  return new FloeError('metadata-corrupt', `bad ${type} bound (${bytes.length} bytes): ${why}`, {
    context: { type },
  });
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Bytes → physical value. A promoted column keeps its old bounds (spec §Schema Evolution), so
 * the width decides: a 4-byte long bound is an int, a 4-byte double bound a float.
 */
export function deserializeBound(type: PrimitiveType, bytes: Uint8Array): PhysicalValue {
  const d = view(bytes);
  const need = (n: number) => {
    if (bytes.length !== n) throw corrupt(type, bytes, `expected ${n} bytes`);
  };
  switch (type) {
    case 'boolean':
      need(1);
      return bytes[0] !== 0;
    case 'int':
    case 'date':
      need(4);
      return d.getInt32(0, true);
    case 'long':
      if (bytes.length === 4) return BigInt(d.getInt32(0, true));
      need(8);
      return d.getBigInt64(0, true);
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      need(8);
      return d.getBigInt64(0, true);
    case 'float':
      need(4);
      return d.getFloat32(0, true);
    case 'double':
      if (bytes.length === 4) return d.getFloat32(0, true);
      need(8);
      return d.getFloat64(0, true);
    case 'string':
      try {
        return utf8Decoder.decode(bytes);
      } catch {
        throw corrupt(type, bytes, 'not valid UTF-8');
      }
    case 'uuid':
      need(16);
      return bytesToUuid(bytes);
    case 'binary':
      return new Uint8Array(bytes);
    default: {
      const len = fixedLength(type);
      if (len !== undefined) {
        need(len);
        return new Uint8Array(bytes);
      }
      if (decimalParts(type)) return bytesToDecimal(bytes);
      throw corrupt(type, bytes, 'unknown type');
    }
  }
}
