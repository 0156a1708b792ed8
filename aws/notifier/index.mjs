// @ts-check
/**
 * floe's notifier Lambda (the seed's CUSTOMER_NOTIFIER_LAMBDA): receives the run report floe
 * sends at the end of a run (payload version 1, see src/runtime/aws/notification-payload.ts) and
 * emails it with Amazon SES: the HTML report as the body, a plain-text summary beside it, to the
 * payload's recipients (CUSTOMER_NOTIFICATION_TO), from NOTIFIER_FROM_ADDRESS (an SES-verified
 * identity). Node.js 20+ runtime (the template deploys 24.x); the AWS SDK v3 it uses is part of that runtime. Deployed as is
 * (no build step): handler `index.handler`.
 *
 * A payload it cannot send (wrong version, no recipients, no sender configured) or an SES refusal
 * is thrown: Lambda reports it as a function error, which floe logs on the run without failing it.
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';

/**
 * @typedef {{ configId: string, processType: string, status: string, records: number,
 *   snapshotId?: string, table?: string, loadType?: string, durationMs: number, error?: string }} ConfigLine
 * @typedef {{ version: number, subject: string, environment: string, platform?: string,
 *   recipients: string[], runId: string, jobRunId?: string, startedAt: string, finishedAt: string,
 *   summary: Record<string, number>, configs: ConfigLine[], html: string }} Payload
 */

/** @param {unknown} event @returns {Payload} */
export function parsePayload(event) {
  const p = /** @type {Record<string, unknown>} */ (
    typeof event === 'string' ? JSON.parse(event) : (event ?? {})
  );
  if (p.version !== 1)
    throw new Error(
      `unsupported notification payload version ${String(p.version)} (this notifier reads version 1)`,
    );
  const recipients = Array.isArray(p.recipients)
    ? p.recipients.filter((r) => typeof r === 'string' && r.trim() !== '')
    : [];
  if (recipients.length === 0)
    throw new Error(
      'the notification has no recipients: set CUSTOMER_NOTIFICATION_TO on the floe job (comma-separated addresses)',
    );
  for (const k of ['subject', 'html', 'runId'])
    if (typeof p[k] !== 'string') throw new Error(`the notification payload lacks ${k}`);
  if (!Array.isArray(p.configs)) throw new Error('the notification payload lacks configs');
  return /** @type {Payload} */ ({ ...p, recipients: recipients.map((r) => r.trim()) });
}

/** The plain-text part: one line per config. @param {Payload} p */
export function textSummary(p) {
  const lines = p.configs.map(
    (c) =>
      `${c.status.padEnd(11)} ${c.configId}  ${c.records} records${c.snapshotId ? `  snapshot ${c.snapshotId}` : ''}${c.error ? `\n            ${c.error}` : ''}`,
  );
  return `${p.subject}\n\nenvironment ${p.environment}${p.platform ? `, platform ${p.platform}` : ''}, run ${p.runId}\n\n${lines.join('\n')}\n`;
}

/**
 * @param {{ ses: { send(command: SendEmailCommand): Promise<{ MessageId?: string }> }, from: string | undefined,
 *   configurationSet?: string }} deps
 */
export function createHandler(deps) {
  /** @param {unknown} event */
  return async (event) => {
    if (!deps.from)
      throw new Error('NOTIFIER_FROM_ADDRESS is not set: give the Lambda an SES-verified sender address');
    const p = parsePayload(event);
    const r = await deps.ses.send(
      new SendEmailCommand({
        FromEmailAddress: deps.from,
        Destination: { ToAddresses: p.recipients },
        Content: {
          Simple: {
            Subject: { Data: p.subject, Charset: 'UTF-8' },
            Body: {
              Html: { Data: p.html, Charset: 'UTF-8' },
              Text: { Data: textSummary(p), Charset: 'UTF-8' },
            },
          },
        },
        ...(deps.configurationSet ? { ConfigurationSetName: deps.configurationSet } : {}),
      }),
    );
    return { messageId: r.MessageId, recipients: p.recipients.length, configs: p.configs.length };
  };
}

export const handler = createHandler({
  ses: new SESv2Client({}),
  from: process.env.NOTIFIER_FROM_ADDRESS,
  ...(process.env.NOTIFIER_CONFIGURATION_SET
    ? { configurationSet: process.env.NOTIFIER_CONFIGURATION_SET }
    : {}),
});
