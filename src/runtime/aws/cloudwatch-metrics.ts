/**
 * Run metrics in CloudWatch (the seed: "custom metrics for job success/failure rates"): per
 * config of a run, `ConfigSucceeded` / `ConfigFailed` / `ConfigInterrupted` (Count, 0 or 1),
 * `RecordsProcessed` (Count) and `Duration` (Milliseconds), with dimensions Platform, ProcessType
 * and ConfigId; plus per run the same counts summed under dimensions Platform and ProcessType.
 * Dimension values are config ids and platform names, never anything a config reads from a secret.
 * Like a notifier, it never fails the run: a failed PutMetricData is logged.
 */
import { type CloudWatchClient, type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { errorMessage } from '../../errors.js';
import { redact } from '../../util/redact.js';
import type { Logger } from '../ports/logger.js';
import type { ConfigRunResult, Notifier, RunReport } from '../ports/notifier.js';
import { awsError } from './aws-error.js';

export const DEFAULT_METRICS_NAMESPACE = 'floe';
/** PutMetricData takes at most 1000 data points per call. */
const MAX_DATA = 1000;

export function runMetrics(report: RunReport, at = new Date(report.finishedAt)): MetricDatum[] {
  const platform = redact(report.platform ?? 'all');
  const data: MetricDatum[] = [];
  const counts = (results: ConfigRunResult[], dims: { Name: string; Value: string }[]) => {
    const n = (s: string) => results.filter((r) => r.status === s).length;
    data.push(
      { MetricName: 'ConfigSucceeded', Dimensions: dims, Timestamp: at, Unit: 'Count', Value: n('SUCCESS') },
      { MetricName: 'ConfigFailed', Dimensions: dims, Timestamp: at, Unit: 'Count', Value: n('FAILED') },
      {
        MetricName: 'ConfigInterrupted',
        Dimensions: dims,
        Timestamp: at,
        Unit: 'Count',
        Value: n('INTERRUPTED'),
      },
      {
        MetricName: 'RecordsProcessed',
        Dimensions: dims,
        Timestamp: at,
        Unit: 'Count',
        Value: results.reduce((a, r) => a + (Number.isFinite(r.records) ? r.records : 0), 0),
      },
    );
  };
  for (const kind of ['L1', 'L2'] as const) {
    const results = report.results.filter((r) => r.processType === kind);
    if (results.length === 0) continue;
    counts(results, [
      { Name: 'Platform', Value: platform },
      { Name: 'ProcessType', Value: kind },
    ]);
  }
  for (const r of report.results) {
    const dims = [
      { Name: 'Platform', Value: platform },
      { Name: 'ProcessType', Value: r.processType },
      { Name: 'ConfigId', Value: redact(r.configId) },
    ];
    counts([r], dims);
    data.push({
      MetricName: 'Duration',
      Dimensions: dims,
      Timestamp: at,
      Unit: 'Milliseconds',
      Value: r.durationMs,
    });
  }
  return data;
}

export class CloudWatchMetricsReporter implements Notifier {
  constructor(
    private readonly client: CloudWatchClient,
    private readonly namespace: string,
    private readonly logger: Logger,
  ) {}

  async notify(report: RunReport): Promise<void> {
    const data = runMetrics(report);
    try {
      for (let i = 0; i < data.length; i += MAX_DATA)
        await this.client.send(
          new PutMetricDataCommand({ Namespace: this.namespace, MetricData: data.slice(i, i + MAX_DATA) }),
        );
    } catch (e) {
      const err = awsError(e, {
        action: 'PutMetricData',
        resource: `CloudWatch namespace ${this.namespace}`,
        iam: 'cloudwatch:PutMetricData',
      });
      this.logger.warn(`could not publish run metrics: ${errorMessage(err)}`, { namespace: this.namespace });
    }
  }
}
