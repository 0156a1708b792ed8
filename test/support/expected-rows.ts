/**
 * The L1 row semantics written plainly, as an independent reference for tests: names
 * normalised (nested keys too) and the ingest columns added. src/l1/row-line.ts does the same in
 * one fused pass; tests compare the two and build expected table rows from simulator records.
 */
import { type ColumnNaming, resolveColumnName } from '../../src/config/naming.js';
import type { IngestInfo } from '../../src/l1/records.js';

export function recordTransformer(
  naming: ColumnNaming,
  ingest: IngestInfo,
): (r: Record<string, unknown>) => Record<string, unknown> {
  const cache = new Map<string, string>();
  const name = (k: string) => {
    let n = cache.get(k);
    if (n === undefined) {
      n = resolveColumnName(k, naming);
      cache.set(k, n);
    }
    return n;
  };
  const rename = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(rename);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as object)) out[name(k)] = rename(x);
    return out;
  };
  const ingestDate = ingest.timestamp.slice(0, 10);
  return (r) => {
    const row = (naming === 'source' ? { ...r } : rename(r)) as Record<string, unknown>;
    row.ingest_timestamp = ingest.timestamp;
    row.ingest_date = ingestDate;
    row.ingest_run_id = ingest.runId;
    return row;
  };
}
