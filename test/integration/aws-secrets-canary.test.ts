/**
 * A canary secret in Secrets Manager travels through an L1 job on AWS (moto) in the query string
 * (`access_token=…`), as a plain-string secret and as a field of a JSON secret, and one config is
 * made to fail in a way that quotes its URL (404). Afterwards every place the AWS profile writes
 * is searched for every encoding of the canary: the CloudWatch log events, the metric dimensions,
 * the history items, the config items (state, lastError), the notification payload the Lambda
 * received, the console, and every object in the warehouse bucket.
 */
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import { type Call, record } from '../support/aws-faults.js';
import { ddb, putItem, s3, uniq } from '../support/aws-moto.js';
import { type AwsWorld, awsWorld } from '../support/aws-world.js';
import { encodedForms } from '../support/secret-encodings.js';

const CANARY = `canary~aws+Leak/${uniq('tok')}=="q"`;
let sim: WrikeSimulator;
let world: AwsWorld;
const outputs: { where: string; text: string }[] = [];
let lambdaCalls: Call[];
let console: string[];

function canaryItem(id: string, path: string, secret: string, secretKeys?: Record<string, string>) {
  const item = world.item(sim, {
    configId: id,
    object: 'contacts',
    path,
    table: id.toLowerCase(),
    writeMode: 'OVERWRITE',
  });
  const source = item.source as Record<string, unknown>;
  source.auth = {
    type: 'API_KEY',
    tokenKey: secret,
    in: 'query',
    name: 'access_token',
    ...(secretKeys ? { secretKeys } : {}),
  };
  source.request = { method: 'GET', url: `${sim.baseUrl}${path}`, headers: { Accept: 'application/json' } };
  item.notifications = { onSuccess: true, onFailure: true };
  return item;
}

beforeAll(async () => {
  sim = await startWrikeSimulator({ tasks: 10, rateLimit: false, seed: 3, permanentTokens: [CANARY] });
  world = await awsWorld(sim, { token: CANARY });
  const sm = new SecretsManagerClient({});
  const jsonSecret = `${world.tokenKey}-json`;
  await sm.send(
    new CreateSecretCommand({ Name: jsonSecret, SecretString: JSON.stringify({ apiKey: CANARY }) }),
  );
  await putItem(world.configTable, canaryItem('Canary_Plain', '/contacts', world.tokenKey));
  await putItem(world.configTable, canaryItem('Canary_Json', '/contacts', jsonSecret, { apiKey: 'apiKey' }));
  await putItem(world.configTable, canaryItem('Canary_404', '/no-such-endpoint', world.tokenKey));
  const lambda = record(new LambdaClient({}));
  lambdaCalls = lambda.calls;
  console = [];
  const out = await world.run(['--JOB_RUN_ID', 'jr_canary'], {
    logStream: { write: (s: string) => console.push(s) },
    aws: { clients: { lambda: lambda.client } },
  });
  const status = Object.fromEntries(out.results.map((r) => [r.configId, r.status]));
  expect(status).toMatchObject({ Canary_Plain: 'SUCCESS', Canary_Json: 'SUCCESS', Canary_404: 'FAILED' });

  outputs.push({ where: 'console', text: console.join('') });
  const logs = new CloudWatchLogsClient({});
  for (const s of (await logs.send(new DescribeLogStreamsCommand({ logGroupName: world.logGroup })))
    .logStreams ?? []) {
    const ev = await logs.send(
      new GetLogEventsCommand({
        logGroupName: world.logGroup,
        logStreamName: s.logStreamName!,
        startFromHead: true,
      }),
    );
    outputs.push({
      where: `CloudWatch stream ${s.logStreamName}`,
      text: (ev.events ?? []).map((e) => e.message).join('\n'),
    });
  }
  const metrics = await new CloudWatchClient({}).send(
    new ListMetricsCommand({ Namespace: world.metricsNamespace }),
  );
  outputs.push({ where: 'metric dimensions', text: JSON.stringify(metrics.Metrics) });
  for (const table of [world.historyTable, world.configTable]) {
    const items = await ddb().send(new ScanCommand({ TableName: table }));
    outputs.push({ where: `DynamoDB ${table}`, text: JSON.stringify(items.Items) });
  }
  for (const c of lambdaCalls)
    outputs.push({
      where: 'Lambda payload',
      text: Buffer.from(c.input.Payload as Uint8Array).toString('utf8'),
    });
  const objects = await s3().send(new ListObjectsV2Command({ Bucket: world.bucket }));
  for (const o of objects.Contents ?? []) {
    const body = await s3().send(new GetObjectCommand({ Bucket: world.bucket, Key: o.Key! }));
    outputs.push({
      where: `s3://${world.bucket}/${o.Key}`,
      text: Buffer.from(await body.Body!.transformToByteArray()).toString('latin1'),
    });
  }
});
afterAll(async () => {
  await sim?.close();
});

describe('a canary secret on AWS', () => {
  it('was used (the configs that needed it succeeded) and everything was searched', () => {
    expect(lambdaCalls.filter((c) => c.command === 'InvokeCommand')).toHaveLength(1);
    expect(
      outputs.some((o) => o.where.startsWith('CloudWatch stream') && o.text.includes('Canary_404')),
    ).toBe(true);
    expect(outputs.some((o) => o.where === 'Lambda payload' && o.text.includes('no-such-endpoint'))).toBe(
      true,
    );
    expect(outputs.filter((o) => o.where.startsWith('s3://')).length).toBeGreaterThan(4);
  });

  it('never appears, in any encoding, in logs, metrics, history, config items, the notification or the bucket', () => {
    const leaks: string[] = [];
    for (const form of encodedForms(CANARY))
      for (const o of outputs) if (o.text.includes(form)) leaks.push(`${o.where}: ${JSON.stringify(form)}`);
    expect(leaks).toEqual([]);
  });
});
