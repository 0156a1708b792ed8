/**
 * The ingest columns every L1 row gets (the rows themselves are written by row-line.ts):
 * when the run started, its date, and the run id.
 */

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
