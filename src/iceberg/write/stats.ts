/**
 * Column statistics for manifests (spec §Manifests, App. D), from what DuckDB's RETURN_STATS
 * reports. Spark answers MIN/MAX/COUNT from these without reading data, so numeric, date and
 * timestamp bounds must be exact or absent; strings are truncated to 16 code points per the
 * default `write.metadata.metrics.default=truncate(16)`.
 */
import { type ColumnStats, PATH_SEP, type WrittenParquet } from '../../duck/parquet.js';
import { serializeBound } from '../spec/bounds.js';
import type { KV } from '../spec/manifest.js';
import { indexSchema, type Schema } from '../spec/schema.js';
import {
  truncateLowerBinary,
  truncateLowerString,
  truncateUpperBinary,
  truncateUpperString,
} from '../spec/truncate.js';
import { decimalParts, isPrimitive, type PrimitiveType } from '../spec/types.js';

export interface FileMetrics {
  column_sizes: KV<bigint>[];
  value_counts: KV<bigint>[];
  null_value_counts: KV<bigint>[];
  lower_bounds: KV<Buffer>[];
  upper_bounds: KV<Buffer>[];
}

type MetricsMode =
  | { kind: 'none' }
  | { kind: 'counts' }
  | { kind: 'truncate'; width: number }
  | { kind: 'full' };

function parseMode(s: string | undefined): MetricsMode {
  if (!s) return { kind: 'truncate', width: 16 };
  if (s === 'none' || s === 'counts' || s === 'full') return { kind: s };
  const m = /^truncate\((\d+)\)$/.exec(s);
  return m ? { kind: 'truncate', width: Number(m[1]) } : { kind: 'truncate', width: 16 };
}

export function fileMetrics(
  schema: Schema,
  written: WrittenParquet,
  properties: Readonly<Record<string, string>>,
): FileMetrics {
  const out: FileMetrics = {
    column_sizes: [],
    value_counts: [],
    null_value_counts: [],
    lower_bounds: [],
    upper_bounds: [],
  };
  const defaultMode = parseMode(properties['write.metadata.metrics.default']);
  for (const f of indexSchema(schema).values()) {
    // Per-row statistics only: inside lists and maps they would count elements, not rows.
    if (f.repeated || !isPrimitive(f.type)) continue;
    const stats = written.columns.get(f.path.join(PATH_SEP));
    if (!stats) continue;
    const columnMode = properties[`write.metadata.metrics.column.${f.path.join('.')}`];
    const effective = columnMode ? parseMode(columnMode) : defaultMode;
    if (effective.kind === 'none') continue;
    if (stats.sizeBytes !== undefined) out.column_sizes.push({ key: f.id, value: stats.sizeBytes });
    if (stats.numValues !== undefined) out.value_counts.push({ key: f.id, value: stats.numValues });
    if (stats.nullCount !== undefined) out.null_value_counts.push({ key: f.id, value: stats.nullCount });
    if (effective.kind === 'counts') continue;
    const bounds = boundsFor(f.type, stats, effective.kind === 'full' ? undefined : effective.width);
    if (bounds?.lower) out.lower_bounds.push({ key: f.id, value: Buffer.from(bounds.lower) });
    if (bounds?.upper) out.upper_bounds.push({ key: f.id, value: Buffer.from(bounds.upper) });
  }
  return out;
}

function boundsFor(
  t: PrimitiveType,
  s: ColumnStats,
  width: number | undefined,
): { lower?: Uint8Array; upper?: Uint8Array } | undefined {
  if (s.min === undefined || s.max === undefined) return undefined;
  if (s.numValues !== undefined && s.nullCount !== undefined && s.numValues === s.nullCount) return undefined;
  try {
    if (t === 'string') {
      const lo = width === undefined ? s.min : truncateLowerString(s.min, width);
      const hi = width === undefined ? s.max : truncateUpperString(s.max, width);
      return {
        lower: Buffer.from(lo, 'utf8'),
        ...(hi === undefined ? {} : { upper: Buffer.from(hi, 'utf8') }),
      };
    }
    if (t === 'binary') {
      const lo = Buffer.from(s.min, 'hex');
      const hi = Buffer.from(s.max, 'hex');
      const l = width === undefined ? lo : truncateLowerBinary(lo, width);
      const u = width === undefined ? hi : truncateUpperBinary(hi, width);
      return { lower: l, ...(u === undefined ? {} : { upper: u }) };
    }
    if ((t === 'float' || t === 'double') && s.hasNan) return undefined;
    const lo = parseDuckValue(t, s.min);
    const hi = parseDuckValue(t, s.max);
    if (lo === undefined || hi === undefined) return undefined;
    return { lower: serializeBound(t, lo), upper: serializeBound(t, hi) };
  } catch {
    // A statistic we cannot read exactly is left out: absent bounds are always correct.
    return undefined;
  }
}

const EPOCH_DAY_MS = 86_400_000;

/** DuckDB's text rendering of a statistic → the physical value (see values.ts). */
export function parseDuckValue(t: PrimitiveType, text: string): unknown {
  switch (t) {
    case 'boolean':
      return text === 'true' || text === '1';
    case 'int':
      return Number(text);
    case 'long':
      return BigInt(text);
    case 'float':
    case 'double': {
      const n = Number(text);
      return Number.isFinite(n) || /^-?inf/i.test(text)
        ? Number.isNaN(n)
          ? text.startsWith('-')
            ? -Infinity
            : Infinity
          : n
        : undefined;
    }
    case 'date':
      return dateToDays(text);
    case 'time':
      return timeToMicros(text);
    case 'timestamp':
    case 'timestamptz': {
      const m =
        /^(-?\d{4,})-(\d{2})-(\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?:([+-])(\d{2})(?::?(\d{2}))?)?$/.exec(
          text,
        );
      if (!m) return undefined;
      const days = BigInt(dateToDays(`${m[1]}-${m[2]}-${m[3]}`));
      let micros = days * 86_400_000_000n + timeToMicros(m[4]!);
      if (m[5]) {
        const off = (BigInt(Number(m[6])) * 60n + BigInt(Number(m[7] ?? 0))) * 60_000_000n;
        micros = m[5] === '+' ? micros - off : micros + off;
      }
      return micros;
    }
    case 'uuid':
      return text.toLowerCase();
    default: {
      const d = decimalParts(t);
      if (d) {
        const neg = text.startsWith('-');
        const [ip = '0', fp = ''] = (neg ? text.slice(1) : text).split('.');
        const unscaled = BigInt(ip + fp.padEnd(d.scale, '0').slice(0, d.scale));
        return neg ? -unscaled : unscaled;
      }
      return undefined;
    }
  }
}

function dateToDays(text: string): number {
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) throw new Error(`not a date: ${text}`);
  return (
    Math.round(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / EPOCH_DAY_MS) + yearFix(Number(m[1]))
  );
}

/** Date.UTC maps years 0–99 to 1900–1999; correct for them. */
function yearFix(year: number): number {
  if (year >= 0 && year < 100) {
    const a = Date.UTC(year, 0, 1);
    const d = new Date(a);
    d.setUTCFullYear(year);
    return Math.round((d.getTime() - a) / EPOCH_DAY_MS);
  }
  return 0;
}

function timeToMicros(text: string): bigint {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(text);
  if (!m) throw new Error(`not a time: ${text}`);
  const frac = BigInt((m[4] ?? '').padEnd(6, '0').slice(0, 6));
  return (
    ((BigInt(Number(m[1])) * 60n + BigInt(Number(m[2]))) * 60n + BigInt(Number(m[3]))) * 1_000_000n + frac
  );
}
