/**
 * The JSON payload floe sends to CUSTOMER_NOTIFIER_LAMBDA (version 1), documented in the README
 * and read by the notifier Lambda in aws/notifier/. One payload per run, holding the configs whose
 * `notifications.onSuccess` / `onFailure` ask for this outcome:
 *
 * {
 *   "version": 1,
 *   "subject": "[floe][prod] wrike run <runId>: 1 failed, 3 succeeded",
 *   "environment": "prod",            // CUSTOMER_ENVIRONMENT
 *   "platform": "wrike",              // SAAS_PLATFORM
 *   "recipients": ["a@x.com"],        // CUSTOMER_NOTIFICATION_TO
 *   "runId": "…", "jobRunId": "…",    // floe's run id; Glue's JOB_RUN_ID (or manual_run)
 *   "startedAt": "…", "finishedAt": "…",
 *   "summary": { "configs": 4, "succeeded": 3, "failed": 1, "interrupted": 0, "records": 1250, "durationMs": 5300 },
 *   "configs": [ { "configId", "processType", "status", "records", "snapshotId", "table",
 *                  "loadType", "durationMs", "error" } ],
 *   "html": "<!doctype html>…"        // the same report as the local HTML file
 * }
 *
 * Every string is redacted; Lambda's 6 MB request limit is kept by shortening the HTML first.
 */
import { renderHtmlReport, reportSubject, reportTotals } from '../local/html-report.js';
import type { RunReport } from '../ports/notifier.js';
import { toJsonSafe } from '../structured-logger.js';

export const PAYLOAD_VERSION = 1;
/** Below Lambda's 6 MB synchronous request limit, with room for the JSON around the HTML. */
export const MAX_PAYLOAD_BYTES = 5_500_000;

export interface NotificationPayload {
  version: number;
  subject: string;
  environment: string;
  platform?: string;
  recipients: string[];
  runId: string;
  jobRunId?: string;
  startedAt: string;
  finishedAt: string;
  summary: ReturnType<typeof reportTotals>;
  configs: {
    configId: string;
    processType: string;
    status: string;
    records: number;
    snapshotId?: string;
    table?: string;
    loadType?: string;
    durationMs: number;
    error?: string;
  }[];
  html: string;
}

export function notificationPayload(report: RunReport, jobRunId?: string): NotificationPayload {
  const payload: NotificationPayload = {
    version: PAYLOAD_VERSION,
    subject: reportSubject(report),
    environment: report.environment,
    ...(report.platform ? { platform: report.platform } : {}),
    recipients: report.recipients,
    runId: report.runId,
    ...(jobRunId ? { jobRunId } : {}),
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    summary: reportTotals(report),
    configs: report.results.map((r) => ({
      configId: r.configId,
      processType: r.processType,
      status: r.status,
      records: r.records,
      ...(r.snapshotId ? { snapshotId: r.snapshotId } : {}),
      ...(r.table ? { table: r.table } : {}),
      ...(r.loadType ? { loadType: r.loadType } : {}),
      durationMs: r.durationMs,
      ...(r.error ? { error: r.error } : {}),
    })),
    html: renderHtmlReport(report),
  };
  const safe = toJsonSafe(payload) as NotificationPayload;
  const size = Buffer.byteLength(JSON.stringify(safe));
  if (size > MAX_PAYLOAD_BYTES) {
    safe.html = `<p>The full report (${size} bytes) exceeds what a Lambda invocation can carry; see the run's CloudWatch log stream.</p>`;
  }
  return safe;
}
