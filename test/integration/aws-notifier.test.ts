/**
 * The notifier Lambda (aws/notifier): the payload floe sends becomes an SES email (HTML report,
 * text summary, the payload's recipients, the configured sender), sent through SES v2 on moto
 * server; what it cannot send is thrown, so Lambda reports a function error.
 */
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHandler, parsePayload, textSummary } from '../../aws/notifier/index.mjs';
import { notificationPayload } from '../../src/runtime/aws/notification-payload.js';
import type { RunReport } from '../../src/runtime/ports/notifier.js';
import { record } from '../support/aws-faults.js';
import { moto, uniq } from '../support/aws-moto.js';

const report: RunReport = {
  runId: 'run-20240101T000000-abc123',
  platform: 'wrike',
  environment: 'prod',
  recipients: ['data-team@example.com', 'ops@example.com'],
  startedAt: '2024-01-01T00:00:00.000Z',
  finishedAt: '2024-01-01T00:01:00.000Z',
  results: [
    {
      configId: 'Wrike_Tasks',
      processType: 'L1',
      status: 'SUCCESS',
      records: 120,
      snapshotId: '123',
      durationMs: 5000,
    },
    {
      configId: 'Wrike_Contacts',
      processType: 'L1',
      status: 'FAILED',
      records: 0,
      error: 'HTTP 500 from /contacts',
      durationMs: 900,
    },
  ],
};

beforeAll(async () => {
  await moto();
});

describe('the notifier Lambda', () => {
  it('emails the HTML report and a text summary to the payload’s recipients through SES', async () => {
    const from = `floe-${uniq('n')}@example.com`;
    const ses = record(new SESv2Client({}));
    await ses.client.send(new CreateEmailIdentityCommand({ EmailIdentity: from }));
    const handler = createHandler({ ses: ses.client, from });
    const payload = notificationPayload(report, 'jr_1');
    const out = await handler(payload);
    expect(out).toMatchObject({ recipients: 2, configs: 2 });
    expect(out.messageId).toBeTruthy();
    const sent = ses.calls.find((c) => c.command === 'SendEmailCommand')!;
    expect(sent.error).toBeUndefined();
    const input = sent.input as {
      FromEmailAddress: string;
      Destination: { ToAddresses: string[] };
      Content: {
        Simple: { Subject: { Data: string }; Body: { Html: { Data: string }; Text: { Data: string } } };
      };
    };
    expect(input.FromEmailAddress).toBe(from);
    expect(input.Destination.ToAddresses).toEqual(['data-team@example.com', 'ops@example.com']);
    expect(input.Content.Simple.Subject.Data).toBe(payload.subject);
    expect(input.Content.Simple.Body.Html.Data).toBe(payload.html);
    expect(input.Content.Simple.Body.Text.Data).toContain(
      'FAILED      Wrike_Contacts  0 records\n            HTTP 500 from /contacts',
    );
  });

  it('accepts the payload as a JSON string too (a test event from the console)', () => {
    const p = notificationPayload(report);
    expect(parsePayload(JSON.stringify(p)).runId).toBe(report.runId);
    expect(textSummary(p)).toContain('SUCCESS     Wrike_Tasks  120 records  snapshot 123');
  });

  it('throws what it cannot send: no recipients, another payload version, no sender, an SES refusal', async () => {
    const ok = notificationPayload(report);
    const ses = new SESv2Client({});
    const from = `floe-${uniq('n')}@example.com`;
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: from }));
    await expect(createHandler({ ses, from })({ ...ok, recipients: [] })).rejects.toThrow(
      /no recipients: set CUSTOMER_NOTIFICATION_TO/,
    );
    await expect(createHandler({ ses, from })({ ...ok, version: 2 })).rejects.toThrow(
      /unsupported notification payload version 2/,
    );
    await expect(createHandler({ ses, from: undefined })(ok)).rejects.toThrow(
      /NOTIFIER_FROM_ADDRESS is not set/,
    );
    // moto, like SES, refuses a sender that is not a verified identity.
    await expect(createHandler({ ses, from: 'unverified@nowhere.example' })(ok)).rejects.toThrow(
      /not verified|MessageRejected/i,
    );
  });
});
