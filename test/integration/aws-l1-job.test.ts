/**
 * `floe run` on AWS, every port on moto server: the seed's Glue job parameters verbatim, configs
 * (the seed's example item in typed JSON, plus a MERGE tasks config) read from DynamoDB and
 * pointed at the Wrike simulator, the token from Secrets Manager, tables in S3 + Glue, logs in
 * CloudWatch Logs, metrics in CloudWatch, history in the config's DynamoDB history table, the
 * notifier Lambda invoked with the documented payload, and run state written back into the items.
 */
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTable } from '../../src/iceberg/index.js';
import type { NotificationPayload } from '../../src/runtime/aws/notification-payload.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import { type Call, record } from '../support/aws-faults.js';
import { ddb, putItem } from '../support/aws-moto.js';
import { type AwsWorld, awsWorld } from '../support/aws-world.js';

let sim: WrikeSimulator;
let world: AwsWorld;
let lambdaCalls: Call[];
let first: Awaited<ReturnType<AwsWorld['run']>>;

async function item(configId: string) {
  const r = await ddb().send(
    new GetItemCommand({
      TableName: world.configTable,
      Key: { configId: { S: configId } },
      ConsistentRead: true,
    }),
  );
  return unmarshall(r.Item!);
}

beforeAll(async () => {
  sim = await startWrikeSimulator({ tasks: 700, rateLimit: false, seed: 11 });
  world = await awsWorld(sim);
  const tasks = world.item(sim, {
    configId: 'Wrike_Tasks',
    object: 'tasks',
    path: '/tasks',
    table: 'staging_tasks',
    writeMode: 'MERGE',
    loadType: 'INCREMENTAL',
    paginated: true,
    incremental: true,
  });
  tasks.notifications = { onSuccess: true, onFailure: true };
  await putItem(world.configTable, tasks);
  const lambda = record(new LambdaClient({}));
  lambdaCalls = lambda.calls;
  first = await world.run(['--JOB_RUN_ID', 'jr_e2e'], { aws: { clients: { lambda: lambda.client } } });
});
afterAll(async () => {
  await sim?.close();
});

describe('floe run --PROCESS_TYPE L1 on AWS (moto server)', () => {
  it('syncs every config of the platform from DynamoDB into Iceberg tables in S3 + Glue', async () => {
    expect(first.results.map((r) => [r.configId, r.status])).toEqual([
      ['Wrike_Contacts', 'SUCCESS'],
      ['Wrike_Tasks', 'SUCCESS'],
    ]);
    expect(first.ok).toBe(true);
    const cat = world.catalog();
    const tasks = await loadTable(cat, `${world.database}.staging_tasks`);
    const truth: unknown[] = [];
    for await (const t of sim.records('tasks')) truth.push(t.id);
    const rows = await tasks.scan().toRows();
    expect(rows.map((r) => r.id).sort()).toEqual([...truth].sort());
    const contacts = await loadTable(cat, `${world.database}.wrike_contacts`);
    expect((await contacts.scan().toRows()).length).toBe(first.results[0]!.records);
  });

  it('registers the tables in Glue as Athena expects them, at the configs’ s3Location', async () => {
    const glue = new GlueClient({});
    const t = (await glue.send(new GetTableCommand({ DatabaseName: world.database, Name: 'wrike_contacts' })))
      .Table!;
    expect(t.TableType).toBe('EXTERNAL_TABLE');
    expect(t.Parameters?.table_type).toBe('ICEBERG');
    expect(t.Parameters?.metadata_location).toMatch(
      new RegExp(
        `^s3://${world.bucket}/wrike/test/iceberg-warehouse/contacts/metadata/\\d{5}-.*\\.metadata\\.json$`,
      ),
    );
    expect(t.StorageDescriptor?.Location).toBe(`s3://${world.bucket}/wrike/test/iceberg-warehouse/contacts`);
    const cols = t.StorageDescriptor?.Columns ?? [];
    const id = cols.find((c) => c.Name === 'id');
    expect(id?.Type).toBe('string');
    expect(id?.Parameters?.['iceberg.field.id']).toMatch(/^\d+$/);
    expect(cols.find((c) => c.Name === 'ingest_timestamp')?.Type).toBe('timestamp');
    expect(cols.every((c) => c.Name === c.Name!.toLowerCase())).toBe(true);
  });

  it('writes the run state back into the config items, and releases the locks', async () => {
    const tasks = await item('Wrike_Tasks');
    expect(tasks.destination.lastSyncTime).toBe(first.results[1]!.cursor);
    expect(tasks.status.state).toBe('completed');
    expect(Date.parse(tasks.status.updatedAt)).not.toBeNaN();
    expect(Date.parse(tasks.lastSuccessfulRun)).not.toBeNaN();
    expect(tasks.floeLock).toBeUndefined();
    const contacts = await item('Wrike_Contacts');
    expect(contacts.status.state).toBe('completed');
    // The user's fields are untouched.
    expect(contacts.destination.glueTable).toBe('wrike_contacts');
    expect(contacts.source.auth.tokenKey).toBe(world.tokenKey);
  });

  it('records history items in the seed’s shape in the config’s history table', async () => {
    const r = await ddb().send(
      new QueryCommand({
        TableName: world.historyTable,
        KeyConditionExpression: 'configId = :c',
        ExpressionAttributeValues: { ':c': { S: 'Wrike_Tasks' } },
      }),
    );
    const items = (r.Items ?? []).map((i) => unmarshall(i));
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      configId: 'Wrike_Tasks',
      'job-id': 'jr_e2e',
      load_type: 'INCREMENTAL',
      snapshot_id: first.results[1]!.snapshotId,
      error: '',
      lastRunStatus: 'SUCCESS',
      totalRecordsProcessed: 700,
    });
  });

  it('logs to the seed’s CloudWatch stream <JOB_RUN_ID>_<YYYYMMDD_HHMMSS>', async () => {
    const logs = new CloudWatchLogsClient({});
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: world.logGroup }));
    const names = (streams.logStreams ?? []).map((s) => s.logStreamName);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^jr_e2e_\d{8}_\d{6}$/);
    const events = await logs.send(
      new GetLogEventsCommand({
        logGroupName: world.logGroup,
        logStreamName: names[0]!,
        startFromHead: true,
      }),
    );
    const messages = (events.events ?? []).map((e) => JSON.parse(e.message!) as Record<string, unknown>);
    expect(
      messages.some((m) => m.configId === 'Wrike_Tasks' && String(m.msg).startsWith('committed 700 records')),
    ).toBe(true);
    const ts = (events.events ?? []).map((e) => e.timestamp!);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
  });

  it('publishes per-config metrics in CloudWatch', async () => {
    const cw = new CloudWatchClient({});
    const listed = await cw.send(
      new ListMetricsCommand({ Namespace: world.metricsNamespace, MetricName: 'RecordsProcessed' }),
    );
    const dims = (listed.Metrics ?? []).map((m) =>
      Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name, d.Value])),
    );
    expect(dims).toContainEqual({ Platform: 'wrike', ProcessType: 'L1', ConfigId: 'Wrike_Tasks' });
    // GetMetricStatistics (moto's GetMetricData ignores the namespace).
    const stats = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: world.metricsNamespace,
        MetricName: 'RecordsProcessed',
        Dimensions: [
          { Name: 'Platform', Value: 'wrike' },
          { Name: 'ProcessType', Value: 'L1' },
          { Name: 'ConfigId', Value: 'Wrike_Tasks' },
        ],
        StartTime: new Date(Date.now() - 3600_000),
        EndTime: new Date(Date.now() + 3600_000),
        Period: 60,
        Statistics: ['Sum'],
      }),
    );
    expect((stats.Datapoints ?? []).reduce((a, d) => a + (d.Sum ?? 0), 0)).toBe(700);
  });

  it('invokes the notifier Lambda with the documented payload, for the configs that ask for it', () => {
    const invokes = lambdaCalls.filter((c) => c.command === 'InvokeCommand');
    expect(invokes).toHaveLength(1);
    expect(invokes[0]!.input.FunctionName).toBe(world.lambda);
    // moto's Lambda without Docker echoes the request: what came back is what the function got.
    const echoed = JSON.parse(
      Buffer.from(invokes[0]!.output!.Payload as Uint8Array).toString('utf8'),
    ) as NotificationPayload;
    expect(echoed).toMatchObject({
      version: 1,
      environment: 'test',
      platform: 'wrike',
      recipients: ['data-team@example.com', 'ops@example.com'],
      jobRunId: 'jr_e2e',
      runId: first.runId,
    });
    expect(echoed.subject).toContain('[floe][test] wrike run');
    // Contacts' seed item says onSuccess: false, so only the tasks config is in it.
    expect(echoed.configs).toEqual([
      expect.objectContaining({
        configId: 'Wrike_Tasks',
        status: 'SUCCESS',
        records: 700,
        snapshotId: first.results[1]!.snapshotId,
      }),
    ]);
    expect(echoed.html).toContain('Wrike_Tasks');
  });

  it('a second run resumes from the cursor in the item and points Glue at the new metadata', async () => {
    sim.advanceClock(3600_000);
    const before = (
      await new GlueClient({}).send(
        new GetTableCommand({ DatabaseName: world.database, Name: 'staging_tasks' }),
      )
    ).Table!;
    const second = await world.run(['--JOB_RUN_ID', 'jr_e2e_2', '--CONFIG_ID', 'Wrike_Tasks']);
    expect(second.ok).toBe(true);
    expect(second.results.map((r) => r.configId)).toEqual(['Wrike_Tasks']);
    const after = (
      await new GlueClient({}).send(
        new GetTableCommand({ DatabaseName: world.database, Name: 'staging_tasks' }),
      )
    ).Table!;
    expect(after.Parameters?.previous_metadata_location).toBe(before.Parameters?.metadata_location);
    const t = await loadTable(world.catalog(), `${world.database}.staging_tasks`);
    const rows = await t.scan().toRows();
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it('an unknown CONFIG_ID is a clear error naming the table', async () => {
    await expect(world.run(['--CONFIG_ID', 'Wrike_Taks'])).rejects.toThrow(
      new RegExp(
        `config Wrike_Taks not found in DynamoDB table ${world.configTable} \\(did you mean Wrike_Tasks\\?\\)`,
      ),
    );
  });
});
