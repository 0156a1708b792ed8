/**
 * The end-of-run notification: the seed sends an HTML email via a Lambda listing successful
 * configs (config id, record count, snapshot id) and failed ones (config id, error) for an
 * environment (CUSTOMER_ENVIRONMENT) to recipients (CUSTOMER_NOTIFICATION_TO). Which configs go
 * into a report (each config's `notifications.onSuccess` / `onFailure`) is the caller's choice;
 * a notifier sends what it is given. Notifiers never fail the run: delivery problems are logged.
 */
import type { RunOutcome } from './history-store.js';
import type { ProcessKind } from './state-store.js';

export interface ConfigRunResult {
  configId: string;
  processType: ProcessKind;
  status: RunOutcome;
  /** Records processed (the seed's totalRecordsProcessed / record_count). */
  records: number;
  /** Snapshot id written, decimal string. */
  snapshotId?: string;
  /** Error message when FAILED (redacted again by every notifier). */
  error?: string;
  durationMs: number;
  /** Destination table, `database.table`. */
  table?: string;
  /** `FULL` or `INCREMENTAL`. */
  loadType?: string;
  /** Schema decisions worth a look (type conflicts kept as text, fields left out, renamed fields). */
  warnings?: number;
}

export interface RunReport {
  runId: string;
  /** SaaS platform (`wrike`), as in the seed's subject "… for <platform>". */
  platform?: string;
  /** Environment name (the seed's CUSTOMER_ENVIRONMENT: dev, prod, local). */
  environment: string;
  /** Email recipients (the seed's CUSTOMER_NOTIFICATION_TO); may be empty locally. */
  recipients: string[];
  /** ISO-8601 UTC. */
  startedAt: string;
  finishedAt: string;
  results: ConfigRunResult[];
}

export interface Notifier {
  /** Delivers the report. Resolves even when delivery failed (after logging a warning). */
  notify(report: RunReport): Promise<void>;
}
