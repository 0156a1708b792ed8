/**
 * Value conventions. Two representations, converted here and nowhere else:
 *
 * - physical: what transforms, bounds and partition tuples compute on. boolean → boolean;
 *   int, date (days since 1970-01-01) → number; long, time (µs since midnight), timestamp and
 *   timestamptz (µs since epoch, UTC) → bigint; float, double → number; decimal(P,S) → bigint
 *   (the unscaled value); string → string; uuid → canonical lowercase 8-4-4-4-12 string;
 *   binary, fixed → Uint8Array. These mirror the spec's own representations (§Primitive Types,
 *   App. D) so bound serialization and hashing are direct.
 * - canonical JSON: what floe prints and tests compare, and what the Python interop verifier
 *   produces (see `physicalToCanonical`).
 *
 * `toPhysical` also accepts friendly inputs (Date objects, ISO strings, digit strings, hex).
 * Physical values are themselves valid input, so `toPhysical(t, toPhysical(t, v))` is stable. The
 * one trap: a bigint given for a decimal is the *unscaled* value (physical), not the number.
 *
 * All time arithmetic is integer (days as numbers, micros as bigint), never `Date`, so µs values,
 * years 0001–9999 and negative epochs are exact.
 */
import { FloeError } from '../../errors.js';
import {
  decimalParts,
  fixedLength,
  type IcebergType,
  isList,
  isMap,
  isStruct,
  type PrimitiveType,
} from './types.js';

export type PhysicalValue = boolean | number | bigint | string | Uint8Array;

export type CanonicalValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | CanonicalValue[]
  | { [name: string]: CanonicalValue };

export const MICROS_PER_SECOND = 1_000_000n;
export const MICROS_PER_HOUR = 3_600_000_000n;
export const MICROS_PER_DAY = 86_400_000_000n;

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const LONG_MIN = -(1n << 63n);
const LONG_MAX = (1n << 63n) - 1n;

// ---------- integer helpers ----------

/** Floor division (rounds toward −∞), as the spec's time transforms require for pre-1970 values. */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

export function floorMod(a: bigint, b: bigint): bigint {
  return a - floorDiv(a, b) * b;
}

// ---------- calendar (proleptic Gregorian, as Java's java.time and Python's datetime) ----------

/** Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Civil date of a day count since 1970-01-01 (H. Hinnant's civil_from_days). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

function pad(n: number | bigint, width: number): string {
  return String(n).padStart(width, '0');
}

/** Years 0–9999 as 4 digits; others with a sign, as ISO 8601 expanded years. */
function formatYear(y: number): string {
  if (y >= 0 && y <= 9999) return pad(y, 4);
  return (y < 0 ? '-' : '+') + pad(Math.abs(y), 4);
}

// ---------- text forms ----------

const DATE_RE = /^([+-]?\d{4,6})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?$/;
const TIMESTAMP_RE =
  /^([+-]?\d{4,6})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

function civilToDays(y: string, m: string, d: string): number | undefined {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return daysFromCivil(year, month, day);
}

/** Micros of a time of day; fractions beyond µs are truncated (floored), as Java's ns→µs floorDiv. */
function clockToMicros(
  h: string,
  mi: string,
  s: string | undefined,
  frac: string | undefined,
): bigint | undefined {
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const micros = frac === undefined ? 0n : BigInt(frac.slice(0, 6).padEnd(6, '0'));
  return (BigInt(hour) * 3600n + BigInt(minute) * 60n + BigInt(second)) * MICROS_PER_SECOND + micros;
}

/** `YYYY-MM-DD` → days since epoch, or undefined if not a valid date. */
export function parseDate(text: string): number | undefined {
  const m = DATE_RE.exec(text.trim());
  return m ? civilToDays(m[1]!, m[2]!, m[3]!) : undefined;
}

export function formatDate(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${formatYear(year)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** `HH:MM[:SS[.f…]]` → µs since midnight, or undefined. */
export function parseTime(text: string): bigint | undefined {
  const m = TIME_RE.exec(text.trim());
  return m ? clockToMicros(m[1]!, m[2]!, m[3], m[4]) : undefined;
}

/** µs since midnight → `HH:MM:SS.ffffff`. */
export function formatTime(micros: bigint): string {
  const s = micros / MICROS_PER_SECOND;
  const f = micros % MICROS_PER_SECOND;
  return `${pad(s / 3600n, 2)}:${pad((s / 60n) % 60n, 2)}:${pad(s % 60n, 2)}.${pad(f, 6)}`;
}

/**
 * ISO 8601 date-time (`T` or space, optional seconds/fraction, optional `Z`/`±HH[:MM]`; a bare date
 * means midnight) → µs since epoch. An offset is always applied, giving the UTC instant; without
 * an offset the wall clock is taken as written (UTC for timestamptz, zone-less for timestamp).
 */
export function parseTimestamp(text: string): bigint | undefined {
  const m = TIMESTAMP_RE.exec(text.trim());
  if (!m) return undefined;
  const days = civilToDays(m[1]!, m[2]!, m[3]!);
  if (days === undefined) return undefined;
  const clock = m[4] === undefined ? 0n : clockToMicros(m[4], m[5]!, m[6], m[7]);
  if (clock === undefined) return undefined;
  let micros = BigInt(days) * MICROS_PER_DAY + clock;
  const zone = m[8];
  if (zone && zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 18 || om > 59) return undefined;
    const offset = BigInt(oh * 60 + om) * 60n * MICROS_PER_SECOND;
    micros = zone.startsWith('+') ? micros - offset : micros + offset;
  }
  return micros;
}

/** µs since epoch → `YYYY-MM-DDTHH:MM:SS.ffffff`, plus `+00:00` for timestamptz. */
export function formatTimestamp(micros: bigint, withZone: boolean): string {
  const days = floorDiv(micros, MICROS_PER_DAY);
  const clock = micros - days * MICROS_PER_DAY;
  return `${formatDate(Number(days))}T${formatTime(clock)}${withZone ? '+00:00' : ''}`;
}

const DECIMAL_TEXT = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Decimal text (plain or exponent form) → unscaled value at `scale`. Throws a reason string when
 * it has non-zero digits beyond the scale or more than `precision` digits: rounding would change
 * data silently, so the caller decides.
 */
function decimalTextToUnscaled(text: string, precision: number, scale: number): bigint | string {
  const m = DECIMAL_TEXT.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) return 'not a decimal number';
  const frac = m[3] ?? '';
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (Math.abs(exp) > 1000) return 'exponent out of range';
  let unscaled = BigInt(`${m[2]}${frac}` || '0');
  const shift = exp - frac.length + scale;
  if (shift >= 0) unscaled *= 10n ** BigInt(shift);
  else {
    const div = 10n ** BigInt(-shift);
    if (unscaled % div !== 0n) return `more than ${scale} fractional digits`;
    unscaled /= div;
  }
  if (m[1] === '-') unscaled = -unscaled;
  return fitsPrecision(unscaled, precision) ? unscaled : `more than ${precision} digits`;
}

function fitsPrecision(unscaled: bigint, precision: number): boolean {
  const abs = unscaled < 0n ? -unscaled : unscaled;
  return abs < 10n ** BigInt(precision);
}

/** Unscaled value → text with exactly `scale` fractional digits: 1230n,2 → "12.30"; -50n,2 → "-0.50". */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const body = scale > 0 ? `${int}.${digits.slice(digits.length - scale)}` : int;
  return neg ? `-${body}` : body;
}

/** Decimal value (string or number) → unscaled bigint at scale S; throws a FloeError if it does not fit. */
export function parseDecimal(type: PrimitiveType, v: string | number): bigint {
  const d = decimalParts(type);
  if (!d) throw new FloeError('internal', `${type} is not a decimal type`);
  if (typeof v === 'number' && !Number.isFinite(v)) throw invalid(type, v, 'not a finite number');
  const r = decimalTextToUnscaled(String(v), d.precision, d.scale);
  if (typeof r === 'string') throw invalid(type, v, `${r}; round the value or widen the column`);
  return r;
}

// ---------- bytes ----------

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;
const UUID_RE = /^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;

export function bytesToHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function hexToBytes(hex: string): Uint8Array | undefined {
  return HEX_RE.test(hex) ? new Uint8Array(Buffer.from(hex, 'hex')) : undefined;
}

/** Canonical UUID string → its 16 bytes, big-endian (spec App. D). */
export function uuidToBytes(uuid: string): Uint8Array {
  const m = UUID_RE.exec(uuid);
  if (!m) throw new FloeError('data-invalid', `"${uuid}" is not a UUID`);
  return new Uint8Array(Buffer.from(m.slice(1).join(''), 'hex'));
}

export function bytesToUuid(b: Uint8Array): string {
  const h = bytesToHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

// ---------- friendly → physical ----------

function preview(v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = JSON.stringify(v);
  else if (typeof v === 'bigint') s = `${v}n`;
  else if (v instanceof Uint8Array) s = `bytes[${v.length}]`;
  else if (v instanceof Date) s = Number.isNaN(v.getTime()) ? 'Invalid Date' : `Date(${v.toISOString()})`;
  else if (typeof v === 'object' && v !== null) s = Array.isArray(v) ? 'an array' : 'an object';
  else s = String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function invalid(type: string, v: unknown, reason: string): FloeError {
  const value = preview(v);
  return new FloeError('data-invalid', `cannot convert ${value} to ${type}: ${reason}`, {
    context: { type, value },
  });
}

const INTEGER_TEXT = /^[+-]?\d+$/;

function toBigIntStrict(type: string, v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw invalid(type, v, 'not an integer');
    return BigInt(v);
  }
  if (typeof v === 'string' && INTEGER_TEXT.test(v.trim())) return BigInt(v.trim());
  throw invalid(type, v, 'expected an integer (number, bigint or digit string)');
}

function inRange(type: string, v: unknown, x: bigint, lo: bigint, hi: bigint): bigint {
  if (x < lo || x > hi) throw invalid(type, v, `out of range [${lo}, ${hi}]`);
  return x;
}

function dateMillisToMicros(type: string, d: Date): bigint {
  const ms = d.getTime();
  if (Number.isNaN(ms)) throw invalid(type, d, 'invalid Date');
  return BigInt(ms) * 1000n;
}

function toBytes(type: PrimitiveType, v: unknown): Uint8Array {
  // A Buffer is a Uint8Array subclass; a plain view keeps physical values uniform (deep equality, no Buffer methods).
  if (v instanceof Uint8Array)
    return Object.getPrototypeOf(v) === Uint8Array.prototype
      ? v
      : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (typeof v === 'string') {
    const b = hexToBytes(v);
    if (b) return b;
    throw invalid(type, v, 'strings for binary columns must be hex (two digits per byte)');
  }
  throw invalid(type, v, 'expected a Uint8Array, Buffer or hex string');
}

/**
 * Any accepted input → the physical value of `type` (null/undefined → null). Integers given for
 * date, time and timestamps are in the physical unit (days, µs); pass a Date for milliseconds.
 * Throws FloeError('data-invalid') naming the type and the value.
 */
export function toPhysical(type: PrimitiveType, v: unknown): PhysicalValue | null {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 'false') return v === 'true';
      throw invalid(type, v, 'expected true or false');
    case 'int':
      return Number(inRange(type, v, toBigIntStrict(type, v), BigInt(INT_MIN), BigInt(INT_MAX)));
    case 'long':
      return inRange(type, v, toBigIntStrict(type, v), LONG_MIN, LONG_MAX);
    case 'float':
    case 'double': {
      let n: number;
      if (typeof v === 'number') n = v;
      else if (typeof v === 'bigint') n = Number(v);
      else if (
        typeof v === 'string' &&
        /^\s*[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*$/.test(v)
      )
        n = Number(v);
      else throw invalid(type, v, 'expected a number');
      if (type === 'double') return n;
      // float columns hold binary32: the physical value is the float32 value, as a reader returns it.
      const f = Math.fround(n);
      if (Number.isFinite(n) && !Number.isFinite(f)) throw invalid(type, v, 'out of range for float');
      return f;
    }
    case 'date': {
      if (v instanceof Date) return Number(floorDiv(dateMillisToMicros(type, v), MICROS_PER_DAY));
      if (typeof v === 'string') {
        const days = parseDate(v);
        if (days === undefined) throw invalid(type, v, 'expected YYYY-MM-DD');
        return days;
      }
      return Number(inRange(type, v, toBigIntStrict(type, v), BigInt(INT_MIN), BigInt(INT_MAX)));
    }
    case 'time': {
      let micros: bigint;
      if (v instanceof Date) micros = floorMod(dateMillisToMicros(type, v), MICROS_PER_DAY);
      else if (typeof v === 'string') {
        const t = parseTime(v);
        if (t === undefined) throw invalid(type, v, 'expected HH:MM:SS[.ffffff]');
        micros = t;
      } else micros = toBigIntStrict(type, v);
      return inRange(type, v, micros, 0n, MICROS_PER_DAY - 1n);
    }
    case 'timestamp':
    case 'timestamptz': {
      let micros: bigint;
      if (v instanceof Date) micros = dateMillisToMicros(type, v);
      else if (typeof v === 'string') {
        const t = parseTimestamp(v);
        if (t === undefined)
          throw invalid(type, v, 'expected an ISO 8601 timestamp such as 2024-01-02T03:04:05.123456Z');
        micros = t;
      } else micros = toBigIntStrict(type, v);
      return inRange(type, v, micros, LONG_MIN, LONG_MAX);
    }
    case 'string':
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
      throw invalid(type, v, 'expected a string');
    case 'uuid': {
      if (v instanceof Uint8Array) {
        if (v.length !== 16) throw invalid(type, v, 'a UUID has 16 bytes');
        return bytesToUuid(v);
      }
      if (typeof v === 'string') {
        const m = UUID_RE.exec(v.trim());
        if (m) return m.slice(1).join('-').toLowerCase();
      }
      throw invalid(type, v, 'expected a UUID such as f79c3e09-677c-4bbd-a479-3f349cb785e7');
    }
    case 'binary':
      return toBytes(type, v);
    default: {
      const len = fixedLength(type);
      if (len !== undefined) {
        const b = toBytes(type, v);
        if (b.length !== len) throw invalid(type, v, `expected exactly ${len} bytes, got ${b.length}`);
        return b;
      }
      const d = decimalParts(type);
      if (d) {
        if (typeof v === 'bigint') {
          if (!fitsPrecision(v, d.precision))
            throw invalid(type, v, `unscaled value has more than ${d.precision} digits`);
          return v;
        }
        if (typeof v === 'number' || typeof v === 'string') return parseDecimal(type, v);
        throw invalid(type, v, 'expected a number, a decimal string or an unscaled bigint');
      }
      throw new FloeError('feature-unsupported', `unknown primitive type ${type}`, { context: { type } });
    }
  }
}

// ---------- physical → canonical ----------

function wrongPhysical(type: string, v: unknown): FloeError {
  return new FloeError('internal', `${preview(v)} is not a physical ${type} value`, { context: { type } });
}

function bigOf(type: string, v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw wrongPhysical(type, v);
}

function primitiveCanonical(type: PrimitiveType, v: unknown): CanonicalValue {
  switch (type) {
    case 'boolean':
      if (typeof v !== 'boolean') throw wrongPhysical(type, v);
      return v;
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw wrongPhysical(type, v);
      return v;
    case 'long': {
      const n = bigOf(type, v);
      // JSON has one number type; bigint only where a JS number would lose digits.
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    }
    case 'float':
    case 'double':
      if (typeof v !== 'number') throw wrongPhysical(type, v);
      if (Number.isNaN(v)) return 'NaN';
      if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
      return type === 'float' ? shortestFloat32(v) : v;
    case 'date':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw wrongPhysical(type, v);
      return formatDate(v);
    case 'time':
      return formatTime(bigOf(type, v));
    case 'timestamp':
      return formatTimestamp(bigOf(type, v), false);
    case 'timestamptz':
      return formatTimestamp(bigOf(type, v), true);
    case 'string':
    case 'uuid':
      if (typeof v !== 'string') throw wrongPhysical(type, v);
      return v;
    case 'binary':
      if (!(v instanceof Uint8Array)) throw wrongPhysical(type, v);
      return bytesToHex(v);
    default: {
      if (fixedLength(type) !== undefined) {
        if (!(v instanceof Uint8Array)) throw wrongPhysical(type, v);
        return bytesToHex(v);
      }
      const d = decimalParts(type);
      if (d) {
        if (typeof v !== 'bigint') throw wrongPhysical(type, v);
        return formatDecimal(v, d.scale);
      }
      throw new FloeError('feature-unsupported', `unknown primitive type ${type}`, { context: { type } });
    }
  }
}

/** Map input: a Map, an array of [k, v] pairs or {key, value} records, or a plain object. */
function mapEntries(v: unknown): [unknown, unknown][] {
  if (v instanceof Map) return [...v.entries()];
  if (Array.isArray(v)) {
    return v.map((e) => {
      if (Array.isArray(e) && e.length === 2) return [e[0], e[1]];
      if (e && typeof e === 'object' && 'key' in e)
        return [(e as { key: unknown }).key, (e as { value?: unknown }).value];
      throw invalid('map', e, 'map entries must be [key, value] pairs or {key, value} objects');
    });
  }
  if (v && typeof v === 'object' && !(v instanceof Uint8Array) && !(v instanceof Date))
    return Object.entries(v);
  throw invalid('map', v, 'expected a Map, an object or an array of [key, value] pairs');
}

function convert(
  type: IcebergType,
  v: unknown,
  prim: (t: PrimitiveType, v: unknown) => CanonicalValue,
): CanonicalValue {
  if (v === null || v === undefined) return null;
  if (isStruct(type)) {
    if (typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array || v instanceof Date)
      throw invalid('struct', v, 'expected an object');
    const o = v as Record<string, unknown>;
    const out: { [name: string]: CanonicalValue } = {};
    for (const f of type.fields) out[f.name] = convert(f.type, o[f.name], prim);
    return out;
  }
  if (isList(type)) {
    if (!Array.isArray(v)) throw invalid('list', v, 'expected an array');
    return v.map((x) => convert(type.element, x, prim));
  }
  if (isMap(type)) {
    return mapEntries(v).map(([k, x]) => {
      if (k === null || k === undefined) throw invalid('map', v, 'map keys cannot be null');
      return [convert(type.key, k, prim), convert(type.value, x, prim)];
    });
  }
  return prim(type, v);
}

/** A physical value (nested values: plain objects/arrays/[k,v] pairs of physical values) → canonical JSON. */
/**
 * The shortest decimal that reads back as the same 32-bit float (0.3, not 0.30000001192092896):
 * what Python, Spark and Java print for a float, so readers agree on the canonical text.
 */
export function shortestFloat32(v: number): number {
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const x = Number(f.toPrecision(p));
    if (Math.fround(x) === f) return x;
  }
  return f;
}

export function physicalToCanonical(type: IcebergType, v: unknown): CanonicalValue {
  return convert(type, v, primitiveCanonical);
}

/** Any accepted input (physical or friendly, nested too) → canonical JSON. */
export function toCanonical(type: IcebergType, v: unknown): CanonicalValue {
  return convert(type, v, (t, x) => primitiveCanonical(t, toPhysical(t, x)));
}

/** Canonical value → JSON text; bigints are written as JSON numbers (exact digits). */
export function stringifyCanonical(v: CanonicalValue): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : JSON.stringify(String(v));
  if (typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stringifyCanonical).join(',')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${JSON.stringify(k)}:${stringifyCanonical(x)}`)
    .join(',')}}`;
}
