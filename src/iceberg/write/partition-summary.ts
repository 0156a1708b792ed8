/** Manifest-list partition field summaries (spec §Manifest Lists: r508): nulls, NaNs, bounds. */
import { serializeBound } from '../spec/bounds.js';
import type { FieldSummary, ManifestEntry, PartitionFieldType } from '../spec/manifest.js';
import type { PartitionSpec } from '../spec/partition.js';

export function summarizePartitions(
  _spec: PartitionSpec,
  type: PartitionFieldType[],
  entries: ManifestEntry[],
): FieldSummary[] | null {
  if (type.length === 0) return [];
  return type.map((f) => {
    let containsNull = false;
    let containsNan = false;
    let lo: unknown;
    let hi: unknown;
    for (const e of entries) {
      if (e.status === 2) continue;
      const v = e.data_file.partition[f.name];
      if (v === null || v === undefined) {
        containsNull = true;
        continue;
      }
      if (typeof v === 'number' && Number.isNaN(v)) {
        containsNan = true;
        continue;
      }
      if (lo === undefined || compare(v, lo) < 0) lo = v;
      if (hi === undefined || compare(v, hi) > 0) hi = v;
    }
    return {
      contains_null: containsNull,
      contains_nan: f.type === 'float' || f.type === 'double' ? containsNan : false,
      lower_bound: lo === undefined ? null : Buffer.from(serializeBound(f.type, lo)),
      upper_bound: hi === undefined ? null : Buffer.from(serializeBound(f.type, hi)),
    };
  });
}

/** Orders physical values of one type (numbers, bigints, strings by code point, bytes). */
export function compare(a: unknown, b: unknown): number {
  if (typeof a === 'bigint' || typeof a === 'number')
    return a < (b as number) ? -1 : a > (b as number) ? 1 : 0;
  if (typeof a === 'string') {
    // Iceberg orders strings by UTF-8 bytes = by code point, not by UTF-16 units.
    const x = Buffer.from(a);
    const y = Buffer.from(b as string);
    return Buffer.compare(x, y);
  }
  if (typeof a === 'boolean') return Number(a) - Number(b);
  if (a instanceof Uint8Array) return Buffer.compare(Buffer.from(a), Buffer.from(b as Uint8Array));
  return 0;
}
