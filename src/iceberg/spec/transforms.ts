/**
 * Partition transforms (spec §Partition Transforms, §Bucket/§Truncate Transform Details):
 * parsing, which source types each accepts, result types, application to physical values (see
 * values.ts), and the human strings used in data file paths (as Java's `Transform.toHumanString`
 * and `PartitionSpec.partitionToPath`).
 */
import { FloeError } from '../../errors.js';
import { bucketIndex } from './bucket.js';
import { decimalParts, fixedLength, type IcebergType, isPrimitive, type PrimitiveType } from './types.js';
import {
  civilFromDays,
  floorDiv,
  formatDate,
  formatDecimal,
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_SECOND,
  type PhysicalValue,
} from './values.js';

export type Transform =
  | { readonly kind: 'identity' }
  | { readonly kind: 'year' }
  | { readonly kind: 'month' }
  | { readonly kind: 'day' }
  | { readonly kind: 'hour' }
  | { readonly kind: 'bucket'; readonly n: number }
  | { readonly kind: 'truncate'; readonly width: number }
  | { readonly kind: 'void' };

const SIMPLE = new Set(['identity', 'year', 'month', 'day', 'hour', 'void']);
const PARAM = /^(bucket|truncate)\[\s*(\d+)\s*\]$/;

/** `identity`, `year`, `month`, `day`, `hour`, `bucket[N]`, `truncate[W]`, `void` (case-insensitive, as Java). */
export function parseTransform(text: string): Transform {
  const s = text.trim().toLowerCase();
  if (SIMPLE.has(s)) return { kind: s } as Transform;
  const m = PARAM.exec(s);
  if (m) {
    const n = Number(m[2]);
    if (!Number.isSafeInteger(n) || n <= 0 || n > 2147483647) {
      throw new FloeError('config-invalid', `transform ${text}: the parameter must be a positive int`, {
        context: { transform: text },
      });
    }
    return m[1] === 'bucket' ? { kind: 'bucket', n } : { kind: 'truncate', width: n };
  }
  throw new FloeError(
    'config-invalid',
    `unknown partition transform "${text}"; use identity, year, month, day, hour, bucket[N], truncate[W] or void`,
    { context: { transform: text } },
  );
}

/** The spec's spelling: `bucket[16]`, `day`. */
export function transformToString(t: Transform): string {
  if (t.kind === 'bucket') return `bucket[${t.n}]`;
  if (t.kind === 'truncate') return `truncate[${t.width}]`;
  return t.kind;
}

function asTransform(t: string | Transform): Transform {
  return typeof t === 'string' ? parseTransform(t) : t;
}

const BUCKET_SOURCES = new Set([
  'int',
  'long',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'string',
  'uuid',
  'binary',
]);
const TRUNCATE_SOURCES = new Set(['int', 'long', 'string', 'binary']);

/** Which source types a transform accepts (spec §Partition Transforms, "Source types" column). */
export function canTransform(transform: string | Transform, source: IcebergType): boolean {
  const t = asTransform(transform);
  if (t.kind === 'void') return true;
  if (!isPrimitive(source)) return false;
  switch (t.kind) {
    case 'identity':
      return true;
    case 'bucket':
      return (
        BUCKET_SOURCES.has(source) || decimalParts(source) !== undefined || fixedLength(source) !== undefined
      );
    case 'truncate':
      return TRUNCATE_SOURCES.has(source) || decimalParts(source) !== undefined;
    case 'year':
    case 'month':
    case 'day':
      return source === 'date' || source === 'timestamp' || source === 'timestamptz';
    case 'hour':
      return source === 'timestamp' || source === 'timestamptz';
  }
}

function cannot(t: Transform, source: IcebergType): FloeError {
  const type = typeof source === 'string' ? source : source.type;
  return new FloeError(
    'config-invalid',
    `transform ${transformToString(t)} cannot be applied to type ${type}`,
    {
      context: { transform: transformToString(t), type },
    },
  );
}

/**
 * Result type: identity/truncate/void keep the source type, bucket/year/month/hour give int, day
 * gives date (spec §Partition Transforms; readers also accept int for day).
 */
export function transformResultType(transform: string | Transform, source: IcebergType): IcebergType {
  const t = asTransform(transform);
  if (!canTransform(t, source)) throw cannot(t, source);
  switch (t.kind) {
    case 'identity':
    case 'truncate':
    case 'void':
      return source;
    case 'day':
      return 'date';
    default:
      return 'int';
  }
}

function big(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw new FloeError('internal', `${String(v)} is not a physical integer value`);
}

/** Micros since epoch of a date (days) or timestamp (µs) physical value. */
function micros(source: PrimitiveType, v: unknown): bigint {
  return source === 'date' ? big(v) * MICROS_PER_DAY : big(v);
}

function daysOf(source: PrimitiveType, v: unknown): number {
  return source === 'date' ? Number(big(v)) : Number(floorDiv(big(v), MICROS_PER_DAY));
}

/** Java's `value - (((value % W) + W) % W)` in two's-complement int arithmetic. */
function truncateInt(v: number, w: number): number {
  return (v - (((v % w) + w) % w)) | 0;
}

function truncateLong(v: bigint, w: bigint): bigint {
  return BigInt.asIntN(64, v - (((v % w) + w) % w));
}

/** Truncates a string to `w` code points (not UTF-16 units: astral characters count once). */
export function truncateCodePoints(s: string, w: number): string {
  let units = 0;
  let count = 0;
  for (const ch of s) {
    if (count === w) return s.slice(0, units);
    units += ch.length;
    count++;
  }
  return s;
}

/**
 * Applies a transform to a physical value of `source` (values.ts), giving the physical value of
 * the result type. Null in → null out. Time transforms floor, so 1969-12-31T23:59:59 is year -1,
 * month -1, day -1, hour -1 (spec: "years/months/days/hours from 1970-01-01").
 */
export function applyTransform(
  transform: string | Transform,
  source: PrimitiveType,
  v: unknown,
): PhysicalValue | null {
  const t = asTransform(transform);
  if (!canTransform(t, source)) throw cannot(t, source);
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'identity':
      return v as PhysicalValue;
    case 'void':
      return null;
    case 'bucket':
      return bucketIndex(source, v, t.n);
    case 'year':
      return civilFromDays(daysOf(source, v)).year - 1970;
    case 'month': {
      const c = civilFromDays(daysOf(source, v));
      return (c.year - 1970) * 12 + c.month - 1;
    }
    case 'day':
      return daysOf(source, v);
    case 'hour':
      return Number(floorDiv(micros(source, v), MICROS_PER_HOUR));
    case 'truncate': {
      const w = t.width;
      if (source === 'int') return truncateInt(Number(big(v)), w);
      if (source === 'long') return truncateLong(big(v), BigInt(w));
      if (source === 'string') {
        if (typeof v !== 'string') break;
        return truncateCodePoints(v, w);
      }
      if (source === 'binary') {
        if (!(v instanceof Uint8Array)) break;
        return v.length <= w ? v : v.subarray(0, w);
      }
      // decimal: truncate the unscaled value; the scale is unchanged (spec §Truncate Transform Details).
      const unscaled = big(v);
      const bw = BigInt(w);
      return unscaled - (((unscaled % bw) + bw) % bw);
    }
  }
  throw new FloeError('internal', `cannot apply ${transformToString(t)} to ${String(v)} (${source})`);
}

// ---------- human strings and paths ----------

function two(n: number): string {
  return String(n).padStart(2, '0');
}

function year4(y: number): string {
  return y < 0 ? `-${String(-y).padStart(4, '0')}` : String(y).padStart(4, '0');
}

/** java.time's LocalTime.toString: HH:mm, then :ss if non-zero, then .SSS/.SSSSSS as needed. */
function javaTime(microsOfDay: bigint): string {
  const s = Number(microsOfDay / MICROS_PER_SECOND);
  const f = Number(microsOfDay % MICROS_PER_SECOND);
  let out = `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}`;
  if (s % 60 !== 0 || f !== 0) out += `:${two(s % 60)}`;
  if (f !== 0)
    out += f % 1000 === 0 ? `.${String(f / 1000).padStart(3, '0')}` : `.${String(f).padStart(6, '0')}`;
  return out;
}

function javaTimestamp(us: bigint, withZone: boolean): string {
  const days = floorDiv(us, MICROS_PER_DAY);
  return `${formatDate(Number(days))}T${javaTime(us - days * MICROS_PER_DAY)}${withZone ? 'Z' : ''}`;
}

/** Java's Float/Double.toString for the common cases: integral values keep a `.0`. */
function javaNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e7) return `${n}.0`;
  return String(n);
}

/**
 * The human string of a partition value, as Java's `Transform.toHumanString`: year "2024",
 * month "2024-01", day "2024-01-02", hour "2024-01-02-10", timestamps ISO, binary base64,
 * null "null".
 */
export function transformToHumanString(
  transform: string | Transform,
  resultType: PrimitiveType,
  v: unknown,
): string {
  if (v === null || v === undefined) return 'null';
  const t = asTransform(transform);
  switch (t.kind) {
    case 'year':
      return year4(1970 + Number(v));
    case 'month': {
      const m = Number(v);
      return `${year4(1970 + Math.floor(m / 12))}-${two((((m % 12) + 12) % 12) + 1)}`;
    }
    case 'hour': {
      const h = Number(v);
      const days = Math.floor(h / 24);
      const c = civilFromDays(days);
      return `${year4(c.year)}-${two(c.month)}-${two(c.day)}-${two(h - days * 24)}`;
    }
    default:
      break;
  }
  switch (resultType) {
    case 'date':
      return formatDate(Number(v));
    case 'time':
      return javaTime(big(v));
    case 'timestamp':
      return javaTimestamp(big(v), false);
    case 'timestamptz':
      return javaTimestamp(big(v), true);
    case 'float':
    case 'double':
      return javaNumber(Number(v));
    default:
      break;
  }
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  const d = decimalParts(resultType);
  if (d && typeof v === 'bigint') return formatDecimal(v, d.scale);
  return String(v);
}

/** `java.net.URLEncoder.encode(s, UTF_8)`: keeps [A-Za-z0-9.*_-], space → '+', the rest %XX. */
export function urlEncode(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const safe =
      (b >= 0x30 && b <= 0x39) ||
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      b === 0x2e ||
      b === 0x2d ||
      b === 0x2a ||
      b === 0x5f;
    if (safe) out += String.fromCharCode(b);
    else if (b === 0x20) out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** One path segment of a partition value, `ts_day=2024-01-02`, escaped as Java's `partitionToPath`. */
export function partitionPath(
  transform: string | Transform,
  resultType: PrimitiveType,
  name: string,
  v: unknown,
): string {
  return `${urlEncode(name)}=${urlEncode(transformToHumanString(transform, resultType, v))}`;
}
