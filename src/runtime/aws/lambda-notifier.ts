/**
 * Notifications through the seed's CUSTOMER_NOTIFIER_LAMBDA: one synchronous invocation per run
 * with the payload of notification-payload.ts, holding the configs whose `notifications.onSuccess`
 * / `onFailure` ask for their outcome (an INTERRUPTED run counts as a failure); nothing is sent
 * when none do. A Lambda that errors (a function error, throttling, a missing function) is logged
 * with its error and never fails the run or any config: the data was committed either way.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { errorMessage } from '../../errors.js';
import { redact } from '../../util/redact.js';
import type { Logger } from '../ports/logger.js';
import type { ConfigRunResult, Notifier, RunReport } from '../ports/notifier.js';
import { awsError } from './aws-error.js';
import { notificationPayload } from './notification-payload.js';

/** A config's notification settings (the item's `notifications`), or undefined when unknown. */
export type NotificationRule = (
  r: ConfigRunResult,
) => Promise<{ onSuccess: boolean; onFailure: boolean } | undefined>;

export interface LambdaNotifierOptions {
  readonly client: LambdaClient;
  readonly functionName: string;
  readonly rules: NotificationRule;
  readonly logger: Logger;
  readonly jobRunId?: string;
}

export class LambdaNotifier implements Notifier {
  constructor(private readonly opts: LambdaNotifierOptions) {}

  async notify(report: RunReport): Promise<void> {
    const { logger: log, functionName } = this.opts;
    const wanted: ConfigRunResult[] = [];
    for (const r of report.results) {
      // Unknown configs (an item that could not be read) notify on failure, the seed's default.
      const rule = (await this.opts.rules(r).catch(() => undefined)) ?? { onSuccess: false, onFailure: true };
      if (r.status === 'SUCCESS' ? rule.onSuccess : rule.onFailure) wanted.push(r);
    }
    if (wanted.length === 0) {
      log.info('no config asked to be notified of this outcome; no notification sent', {
        lambda: functionName,
      });
      return;
    }
    const payload = notificationPayload({ ...report, results: wanted }, this.opts.jobRunId);
    try {
      const r = await this.opts.client.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'RequestResponse',
          Payload: Buffer.from(JSON.stringify(payload)),
        }),
      );
      if (r.FunctionError) {
        const body = r.Payload ? Buffer.from(r.Payload).toString('utf8').slice(0, 2000) : '';
        log.warn(
          `the notifier Lambda ${functionName} failed (${r.FunctionError}): ${redact(body)}; the run's results are unaffected (fix: see the function's own CloudWatch log)`,
          { lambda: functionName, configs: wanted.length },
        );
        return;
      }
      log.info(`notification sent through Lambda ${functionName}: ${payload.subject}`, {
        lambda: functionName,
        configs: wanted.length,
      });
    } catch (e) {
      const err = awsError(e, {
        action: 'Invoke',
        resource: `Lambda function ${functionName}`,
        iam: 'lambda:InvokeFunction',
        ifMissing: 'deploy the notifier (aws/notifier) or correct CUSTOMER_NOTIFIER_LAMBDA',
      });
      log.warn(`could not send the notification: ${errorMessage(err)}; the run's results are unaffected`, {
        lambda: functionName,
      });
    }
  }
}
