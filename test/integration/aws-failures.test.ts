/**
 * Failures on AWS, in one run with a healthy config beside them: a missing secret, an invalid
 * DynamoDB item and an S3 permission error (injected: moto grants everything) each fail only the
 * config they touch, with an error naming the config, the AWS resource and the fix, and leave
 * nothing half-written visible; CloudWatch throttling (injected) loses no log event; a notifier
 * Lambda that errors (injected function error) fails nothing.
 */
import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import { awsFault, inject } from '../support/aws-faults.js';
import { ddb, putItem, s3 } from '../support/aws-moto.js';
import { type AwsWorld, awsWorld } from '../support/aws-world.js';

let sim: WrikeSimulator;
let world: AwsWorld;
let out: Awaited<ReturnType<AwsWorld['run']>>;
const console: string[] = [];
let putLogCalls = 0;
let lambdaInvokes = 0;

const result = (id: string) => out.results.find((r) => r.configId === id)!;

async function configItem(id: string) {
  const r = await ddb().send(
    new GetItemCommand({ TableName: world.configTable, Key: { configId: { S: id } }, ConsistentRead: true }),
  );
  return unmarshall(r.Item!);
}

beforeAll(async () => {
  sim = await startWrikeSimulator({ tasks: 50, rateLimit: false, seed: 9 });
  world = await awsWorld(sim);
  const item = (configId: string, table: string) =>
    world.item(sim, { configId, object: 'contacts', path: '/contacts', table, writeMode: 'OVERWRITE' });
  const noSecret = item('Wrike_NoSecret', 'no_secret');
  ((noSecret.source as Record<string, unknown>).auth as Record<string, unknown>).tokenKey =
    'wrike-token-that-was-never-created';
  await putItem(world.configTable, noSecret);
  const invalid = item('Wrike_Invalid', 'invalid');
  delete (invalid.destination as Record<string, unknown>).glueTable;
  (invalid.destination as Record<string, unknown>).defaultwriteMode = 'UPSERT';
  await putItem(world.configTable, invalid);
  await putItem(world.configTable, item('Wrike_Denied', 'denied'));

  // moto grants every call: S3 refuses Wrike_Denied's manifests as an IAM policy would, after
  // its data files went up; CloudWatch throttles the first PutLogEvents calls; the notifier fails.
  const deniedPrefix = `wrike/test/iceberg-warehouse/denied/metadata/`;
  const s3client = inject(new S3Client({ forcePathStyle: true }), (cmd, input) =>
    cmd === 'PutObjectCommand' &&
    String(input.Key).startsWith(deniedPrefix) &&
    String(input.Key).endsWith('.avro')
      ? awsFault(
          'AccessDenied',
          'User: arn:aws:sts::123456789012:assumed-role/floe-job is not authorized to perform: s3:PutObject',
          403,
        )
      : undefined,
  );
  const logs = inject(new CloudWatchLogsClient({}), (cmd) => {
    if (cmd !== 'PutLogEventsCommand') return undefined;
    putLogCalls++;
    return putLogCalls <= 3 ? awsFault('ThrottlingException', 'Rate exceeded') : undefined;
  });
  const lambda = new LambdaClient({});
  lambda.middlewareStack.add(
    () => async () => {
      lambdaInvokes++;
      // What Lambda answers when the function throws: 200 with FunctionError and the error body.
      return {
        output: {
          StatusCode: 200,
          FunctionError: 'Unhandled',
          Payload: Buffer.from('{"errorMessage":"Email address is not verified: data-team@example.com"}'),
          $metadata: {},
        },
        response: {},
      } as never;
    },
    { step: 'initialize', name: 'floeTestFunctionError' },
  );
  out = await world.run(['--JOB_RUN_ID', 'jr_failures'], {
    logStream: { write: (s: string) => console.push(s) },
    aws: { clients: { s3: s3client, logs, lambda } },
  });
});
afterAll(async () => {
  await sim?.close();
});

describe('failures on AWS fail only the configs they touch', () => {
  it('the healthy config succeeds beside them; the run reports the failures', () => {
    expect(result('Wrike_Contacts').status).toBe('SUCCESS');
    expect(out.ok).toBe(false);
    expect(
      out.results
        .filter((r) => r.status === 'FAILED')
        .map((r) => r.configId)
        .sort(),
    ).toEqual(['Wrike_Denied', 'Wrike_Invalid', 'Wrike_NoSecret']);
  });

  it('a missing secret names the secret, Secrets Manager and the fix', async () => {
    expect(result('Wrike_NoSecret').error).toMatch(
      /Wrike_NoSecret: secret 'wrike-token-that-was-never-created' \(source\.auth\.tokenKey\) does not exist \(looked up in AWS Secrets Manager in us-east-1\); create it there or fix source\.auth\.tokenKey/,
    );
    const h = await ddb().send(
      new QueryCommand({
        TableName: world.historyTable,
        KeyConditionExpression: 'configId = :c',
        ExpressionAttributeValues: { ':c': { S: 'Wrike_NoSecret' } },
      }),
    );
    expect(unmarshall(h.Items![0]!)).toMatchObject({ lastRunStatus: 'FAILED', snapshot_id: '' });
    expect((await configItem('Wrike_NoSecret')).status.state).toBe('failed');
  });

  it('an invalid item names the DynamoDB table, the fields and the fix, and is marked failed in place', async () => {
    const e = result('Wrike_Invalid').error!;
    expect(e).toContain(`DynamoDB table ${world.configTable}`);
    expect(e).toMatch(/destination\.glueTable/);
    expect(e).toMatch(/destination\.defaultwriteMode/);
    const it = await configItem('Wrike_Invalid');
    expect(it.status.state).toBe('failed');
    expect(it.floeState.lastError).toContain('destination.glueTable');
  });

  it('an S3 permission error names the object, the IAM action and the fix; nothing of it is visible or left behind', async () => {
    expect(result('Wrike_Denied').error).toMatch(
      /S3 refused PutObject on s3:\/\/.*\/denied\/metadata\/.*\.avro .*Fix: allow s3:PutObject on arn:aws:s3:::.*\/wrike\/test\/iceberg-warehouse\/denied\/metadata\//,
    );
    const glue = await new GlueClient({}).send(
      new GetTableCommand({ DatabaseName: world.database, Name: 'denied' }),
    );
    const metadata = glue.Table!.Parameters!.metadata_location!;
    const t = await (await import('../../src/iceberg/index.js')).loadTable(
      world.catalog(),
      `${world.database}.denied`,
    );
    expect(t.currentSnapshot()).toBeUndefined();
    expect(metadata).toMatch(/metadata\.json$/);
    // Its data files were uploaded before the manifest was refused: they were removed again.
    const listed = await s3().send(
      new ListObjectsV2Command({ Bucket: world.bucket, Prefix: 'wrike/test/iceberg-warehouse/denied/' }),
    );
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    expect(keys.filter((k) => !k.endsWith('.metadata.json'))).toEqual([]);
  });

  it('CloudWatch throttling loses no log event: they reach the console at once and CloudWatch on retry', async () => {
    expect(putLogCalls).toBeGreaterThan(3);
    expect(console.join('')).toMatch(
      /CloudWatch Logs did not take this run's log events \(ThrottlingException/,
    );
    const logs = new CloudWatchLogsClient({});
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: world.logGroup }));
    const ev = await logs.send(
      new GetLogEventsCommand({
        logGroupName: world.logGroup,
        logStreamName: streams.logStreams![0]!.logStreamName!,
        startFromHead: true,
      }),
    );
    const delivered = (ev.events ?? []).map((e) => JSON.parse(e.message!).msg as string);
    const printed = console
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string })
      .filter((r) => !r.msg.startsWith('CloudWatch Logs did not take'))
      .map((r) => r.msg);
    expect(delivered).toEqual(printed);
  });

  it('a notifier Lambda that errors is logged with its error and fails nothing', () => {
    expect(lambdaInvokes).toBe(1);
    expect(result('Wrike_Contacts').status).toBe('SUCCESS');
    expect(console.join('')).toContain(
      `the notifier Lambda ${world.lambda} failed (Unhandled): {\\"errorMessage\\":\\"Email address is not verified`,
    );
  });
});
