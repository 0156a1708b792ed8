/**
 * `source.response.fieldTypes`: declared conversions of record fields, applied to every record
 * before it is yielded (and before the cursor tracker sees it). Epoch strings (Eloqua's
 * `"1403034086"`), epoch numbers and ISO-8601 texts with any offset become {@link TimestampValue}s;
 * `YYYY-MM-DD` texts become {@link DateValue}s. The L1 pipeline writes those as `timestamptz` and
 * `date` columns. A value that does not parse fails the page with the field, the value and the fix:
 * writing it as text, or as null, would change it silently.
 */
import type { FieldTypeConfig } from '../config/source-schema.js';
import { FloeError } from '../errors.js';
import { JsonNumber } from '../util/json-numbers.js';
import { DateValue, TimestampValue } from '../util/typed-values.js';

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Canonical UTC text of an ISO-8601 timestamp, keeping up to microseconds; undefined if invalid. */
export function isoTimestamp(text: string): string | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
  let offsetMin = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  }
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  // Date.UTC rolls 2024-02-30 over into March: refuse what is not a real date and time.
  if (
    check.getUTCFullYear() !== Number(y) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  )
    return undefined;
  const base = new Date(ms - offsetMin * 60_000).toISOString().slice(0, 19);
  const micros = frac.slice(0, 6).replace(/0+$/, '');
  return `${base}${micros ? `.${micros}` : ''}Z`;
}

function epochTimestamp(v: unknown, unitMs: number): string | undefined {
  const text = v instanceof JsonNumber ? v.text : typeof v === 'number' ? String(v) : String(v).trim();
  if (!/^-?\d+(\.\d+)?$/.test(text)) return undefined;
  const ms = Number(text) * unitMs;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return undefined;
  const whole = Math.floor(ms);
  const base = new Date(whole).toISOString().slice(0, 23);
  // Sub-millisecond digits of a fractional epoch (rare) are kept down to microseconds.
  const micros = Math.round((ms - whole) * 1000);
  const frac = `${base.slice(20)}${micros ? String(micros).padStart(3, '0') : ''}`.replace(/0+$/, '');
  return `${base.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}

export function convertValue(v: unknown, t: FieldTypeConfig): TimestampValue | DateValue | null | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' && v.trim() === '') return null;
  if (t.type === 'DATE') {
    if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v.trim())) return undefined;
    return isoTimestamp(v) === undefined ? undefined : new DateValue(v.trim());
  }
  let iso: string | undefined;
  switch (t.format) {
    case 'ISO8601':
      iso = typeof v === 'string' ? isoTimestamp(v) : undefined;
      break;
    case 'EPOCH_SECONDS':
      iso = epochTimestamp(v, 1000);
      break;
    case 'EPOCH_MILLIS':
      iso = epochTimestamp(v, 1);
      break;
  }
  return iso === undefined ? undefined : new TimestampValue(iso);
}

/** Compiles `fieldTypes` into an in-place converter of one record. */
export function fieldTypeConverter(
  fieldTypes: Record<string, FieldTypeConfig> | undefined,
  configId: string,
): ((record: unknown) => void) | undefined {
  if (!fieldTypes || Object.keys(fieldTypes).length === 0) return undefined;
  const entries = Object.entries(fieldTypes).map(([path, t]) => ({ path, keys: path.split('.'), t }));
  return (record) => {
    for (const { path, keys, t } of entries) {
      let parent: unknown = record;
      for (const k of keys.slice(0, -1)) {
        parent =
          parent && typeof parent === 'object' && !Array.isArray(parent)
            ? (parent as Record<string, unknown>)[k]
            : undefined;
      }
      if (!parent || typeof parent !== 'object' || Array.isArray(parent)) continue;
      const obj = parent as Record<string, unknown>;
      const last = keys[keys.length - 1]!;
      if (!(last in obj)) continue;
      const out = convertValue(obj[last], t);
      if (out === undefined) {
        throw new FloeError(
          'data-invalid',
          `${configId}: field '${path}' holds ${JSON.stringify(String(obj[last])).slice(0, 80)}, which is not a ${t.type === 'DATE' ? 'date (YYYY-MM-DD)' : `timestamp in format ${t.format}`}. Fix source.response.fieldTypes.${path} (format ISO8601, EPOCH_SECONDS or EPOCH_MILLIS), or remove it to keep the field as text`,
          { context: { configId, field: `source.response.fieldTypes.${path}` } },
        );
      }
      obj[last] = out;
    }
  };
}
