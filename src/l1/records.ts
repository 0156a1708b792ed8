/**
 * API records → table rows: column names normalised (snake_case by default, so Glue and Athena
 * see lowercase identifiers; nested struct keys too) and the ingest columns added. Name
 * conversions are cached: the same few keys repeat on every record.
 */
import { type ColumnNaming, resolveColumnName } from '../config/naming.js';

export const INGEST_COLUMNS = [
  { name: 'ingest_timestamp', type: 'timestamptz' },
  { name: 'ingest_date', type: 'date' },
  { name: 'ingest_run_id', type: 'string' },
] as const;

export interface IngestInfo {
  /** ISO timestamp of the run's start (one value for every row of the run). */
  readonly timestamp: string;
  readonly runId: string;
}

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
