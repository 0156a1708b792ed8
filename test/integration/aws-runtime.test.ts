/**
 * The AWS adapters one by one against moto server: state in the config items (conditional
 * updates: concurrent writers serialise, nobody clobbers anybody; the seed's fields), history
 * items (replace on re-record, find, the L2 table), Secrets Manager (values registered for
 * redaction; a rotated OAuth refresh token written back as the new AWSCURRENT version, with two
 * runs refreshing at once), and CloudWatch Logs batching within the service limits.
 */
import { randomBytes } from 'node:crypto';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CloudWatchLogSink,
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
} from '../../src/runtime/aws/cloudwatch-log-sink.js';
import { DynamoConfigStore } from '../../src/runtime/aws/dynamo-config-store.js';
import { DynamoHistoryStore } from '../../src/runtime/aws/dynamo-history-store.js';
import { DynamoStateStore } from '../../src/runtime/aws/dynamo-state-store.js';
import { SecretsManagerStore } from '../../src/runtime/aws/secrets-manager-store.js';
import type { HistoryEntry } from '../../src/runtime/ports/history-store.js';
import { startWrikeSimulator } from '../../src/sim/wrike/index.js';
import { redact } from '../../src/util/redact.js';
import { record } from '../support/aws-faults.js';
import {
  createConfigTable,
  createHistoryTable,
  createSecret,
  ddb,
  moto,
  putItem,
  uniq,
} from '../support/aws-moto.js';
import { awsWorld } from '../support/aws-world.js';

beforeAll(async () => {
  await moto();
});

async function rawItem(table: string, id: string) {
  const r = await ddb().send(
    new GetItemCommand({ TableName: table, Key: { configId: { S: id } }, ConsistentRead: true }),
  );
  return unmarshall(r.Item!);
}

describe('DynamoStateStore: state in the config items', () => {
  it('writes the seed’s L1 and L2 fields, and reads them back', async () => {
    const l1 = uniq('l1cfg');
    const l2 = uniq('l2cfg');
    await createConfigTable(l1);
    await createConfigTable(l2);
    await putItem(l1, {
      configId: 'A',
      destination: { glueTable: 't', lastSyncTime: '' },
      status: { state: 'running', updatedAt: 'timestamp' },
    });
    await putItem(l2, {
      configId: 'B',
      source: { contacts: { glueTable: 'c', lastSuccessfulFetchTime: '' } },
      status: 'COMPLETED',
    });
    const configs = new DynamoConfigStore(ddb(), { l1, l2 });
    const state = new DynamoStateStore(ddb(), configs);
    expect(await state.get('L1', 'A')).toBeUndefined();
    await state.update('L1', 'A', { status: 'RUNNING', lastRunId: 'r1' });
    await state.update('L1', 'A', {
      status: 'COMPLETED',
      lastSyncTime: '2024-02-01T00:00:00Z',
      lastSuccessfulRun: '2024-02-01T00:01:00Z',
    });
    const a = await rawItem(l1, 'A');
    expect(a.destination).toEqual({ glueTable: 't', lastSyncTime: '2024-02-01T00:00:00Z' });
    expect(a.status.state).toBe('completed');
    expect(a.lastSuccessfulRun).toBe('2024-02-01T00:01:00Z');
    expect(await state.get('L1', 'A')).toMatchObject({
      status: 'COMPLETED',
      lastSyncTime: '2024-02-01T00:00:00Z',
      lastRunId: 'r1',
      version: 2,
    });

    await state.update('L2', 'B', {
      status: 'FAILED',
      lastError: 'boom',
      sources: {
        contacts: { lastSuccessfulFetchTime: '2024-03-01T00:00:00Z', lastSnapshotId: '123' },
        extra: { lastSnapshotId: '9' },
      },
    });
    const b = await rawItem(l2, 'B');
    expect(b.status).toBe('FAILED');
    expect(b.source.contacts.lastSuccessfulFetchTime).toBe('2024-03-01T00:00:00Z');
    expect(Date.parse(b.updatedAt)).not.toBeNaN();
    expect(await state.get('L2', 'B')).toMatchObject({
      status: 'FAILED',
      lastError: 'boom',
      sources: {
        contacts: { lastSuccessfulFetchTime: '2024-03-01T00:00:00Z', lastSnapshotId: '123' },
        extra: { lastSnapshotId: '9' },
      },
    });
  });

  it('serialises concurrent updates from separate stores (conditional writes): nothing is lost', async () => {
    const table = uniq('l2cfg');
    await createConfigTable(table);
    const names = Array.from({ length: 12 }, (_, i) => `s${i}`);
    await putItem(table, {
      configId: 'C',
      source: Object.fromEntries(names.map((n) => [n, { glueTable: n }])),
    });
    const stores = [0, 1, 2].map(
      () => new DynamoStateStore(ddb(), new DynamoConfigStore(ddb(), { l2: table })),
    );
    await Promise.all(
      names.map((n, i) =>
        stores[i % 3]!.update('L2', 'C', {
          sources: {
            [n]: { lastSuccessfulFetchTime: `2024-01-${String(i + 1).padStart(2, '0')}T00:00:00Z` },
          },
        }),
      ),
    );
    const s = await stores[0]!.get('L2', 'C');
    expect(s?.version).toBe(names.length);
    expect(Object.keys(s?.sources ?? {}).sort()).toEqual([...names].sort());
  });

  it('refuses an update conditioned on a run that no longer owns the state', async () => {
    const table = uniq('l1cfg');
    await createConfigTable(table);
    await putItem(table, { configId: 'D', destination: { glueTable: 't' } });
    const state = new DynamoStateStore(ddb(), new DynamoConfigStore(ddb(), { l1: table }));
    await state.update('L1', 'D', { status: 'RUNNING', lastRunId: 'new-run' });
    await expect(state.update('L1', 'D', { status: 'FAILED' }, { ifLastRunId: 'old-run' })).rejects.toThrow(
      /now belongs to run new-run/,
    );
  });
});

describe('DynamoHistoryStore', () => {
  const entry = (over: Partial<HistoryEntry> = {}): HistoryEntry => ({
    configId: 'Wrike_Tasks',
    'job-id': 'jr_1',
    load_type: 'INCREMENTAL',
    loadTimestamp: '2024-01-01T00:00:00.000Z',
    snapshot_id: '',
    error: '',
    lastRunStatus: 'INTERRUPTED',
    totalRecordsProcessed: 0,
    runId: 'run-1',
    processType: 'L1',
    durationMs: 0,
    ...over,
  });

  it('replaces the row of the same run and config (even under a new key), and finds it', async () => {
    const table = uniq('hist');
    await createHistoryTable(table);
    const h = new DynamoHistoryStore(
      ddb(),
      async () => table,
      async () => [table],
      'test',
    );
    await h.record(entry());
    await h.record(
      entry({
        loadTimestamp: '2024-01-01T00:05:00.000Z',
        lastRunStatus: 'SUCCESS',
        snapshot_id: '42',
        note: 'recovered',
      }),
    );
    await h.record(
      entry({
        runId: 'run-2',
        'job-id': 'jr_2',
        loadTimestamp: '2024-01-02T00:00:00.000Z',
        lastRunStatus: 'SUCCESS',
      }),
    );
    const all = await h.list({ configId: 'Wrike_Tasks' });
    expect(all.map((e) => [e.runId, e.lastRunStatus])).toEqual([
      ['run-2', 'SUCCESS'],
      ['run-1', 'SUCCESS'],
    ]);
    expect(await h.find('run-1', 'L1', 'Wrike_Tasks')).toMatchObject({
      snapshot_id: '42',
      note: 'recovered',
    });
    expect(await h.find('run-9', 'L1', 'Wrike_Tasks')).toBeUndefined();
  });

  it('says which table is missing and how to create it', async () => {
    const h = new DynamoHistoryStore(
      ddb(),
      async () => 'no-such-history-table',
      async () => [],
      'L2_HISTORY_TABLE',
    );
    await expect(h.record(entry({ processType: 'L2' }))).rejects.toThrow(
      /DescribeTable on DynamoDB history table no-such-history-table failed: ResourceNotFoundException.*fix: create it .*or correct L2_HISTORY_TABLE/,
    );
  });
});

describe('SecretsManagerStore', () => {
  it('registers every value it reads for redaction, whole and field by field', async () => {
    const plain = `plain-${randomBytes(6).toString('hex')}`;
    const field = `field-${randomBytes(6).toString('hex')}`;
    await createSecret(`${plain}-name`, plain);
    await createSecret(`${field}-name`, JSON.stringify({ client_id: 'id', refresh_token: field }));
    const store = new SecretsManagerStore(new SecretsManagerClient({}), 'us-east-1');
    expect(redact(`x ${plain} y`)).toContain(plain);
    await store.get(`${plain}-name`);
    await store.get(`${field}-name`);
    expect(redact(`x ${plain} y`)).not.toContain(plain);
    expect(redact(`token=${field}`)).not.toContain(field);
  });

  it('an empty secret is "empty", not "not found"', async () => {
    const name = uniq('empty');
    await createSecret(name, ' ');
    await expect(new SecretsManagerStore(new SecretsManagerClient({})).get(name)).rejects.toThrow(
      /exists but its current value is empty/,
    );
  });

  it('two runs refreshing one rotating OAuth token at once: both succeed and AWSCURRENT holds the newest token', async () => {
    const sim = await startWrikeSimulator({ tasks: 5, rateLimit: false, seed: 2 });
    try {
      const world = await awsWorld(sim);
      const secret = `${world.tokenKey}-oauth`;
      await createSecret(
        secret,
        JSON.stringify({
          client_id: 'sim-client',
          client_secret: 'sim-secret',
          refresh_token: 'sim-refresh-token',
        }),
      );
      for (const id of ['Oauth_A', 'Oauth_B']) {
        const item = world.item(sim, {
          configId: id,
          object: 'contacts',
          path: '/contacts',
          table: id.toLowerCase(),
          writeMode: 'OVERWRITE',
        });
        (item.source as Record<string, unknown>).auth = {
          type: 'OAUTH2',
          tokenKey: secret,
          tokenUrl: sim.tokenUrl,
        };
        await putItem(world.configTable, item);
      }
      const sm = record(new SecretsManagerClient({}));
      const [a, b] = await Promise.all([
        world.run(['--CONFIG_ID', 'Oauth_A'], { aws: { clients: { secrets: sm.client } } }),
        world.run(['--CONFIG_ID', 'Oauth_B'], { aws: { clients: { secrets: sm.client } } }),
      ]);
      expect([a.results[0]?.status, b.results[0]?.status]).toEqual(['SUCCESS', 'SUCCESS']);
      const client = new SecretsManagerClient({});
      const current = JSON.parse(
        (await client.send(new GetSecretValueCommand({ SecretId: secret }))).SecretString!,
      );
      expect(current.refresh_token).toBe(sim.currentRefreshToken());
      expect(current.client_id).toBe('sim-client');
      const previous = await client.send(
        new GetSecretValueCommand({ SecretId: secret, VersionStage: 'AWSPREVIOUS' }),
      );
      expect(JSON.parse(previous.SecretString!).refresh_token).not.toBe(current.refresh_token);
      const puts = sm.calls.filter((c) => c.command === 'PutSecretValueCommand');
      expect(puts.length).toBeGreaterThanOrEqual(1);
      expect(new Set(puts.map((p) => p.input.ClientRequestToken)).size).toBe(puts.length);
    } finally {
      await sim.close();
    }
  });
});

describe('CloudWatchLogSink', () => {
  it('sends every event in batches within 10,000 events and 1 MB, timestamps in order', async () => {
    const logs = record(new CloudWatchLogsClient({}));
    const group = `/floe/${uniq('batch')}`;
    const warnings: string[] = [];
    const sink = new CloudWatchLogSink({
      client: logs.client,
      group,
      stream: 'manual_run_20240101_000000',
      warn: (m) => warnings.push(m),
      flushMs: 60_000,
    });
    // CloudWatch rejects events older than 14 days: the run's own clock, as in production.
    const t0 = Date.now() - 60_000;
    const big = 'x'.repeat(100_000);
    for (let i = 0; i < 12_000; i++)
      sink.write({ time: new Date(t0 + i).toISOString(), level: 'info', msg: `event ${i}`, fields: {} });
    for (let i = 0; i < 25; i++)
      sink.write({
        time: new Date(t0 + 20_000 + i).toISOString(),
        level: 'info',
        msg: `big ${i} ${big}`,
        fields: {},
      });
    await sink.close();
    expect(warnings).toEqual([]);
    const batches = logs.calls
      .filter((c) => c.command === 'PutLogEventsCommand')
      .map((c) => c.input.logEvents as { message: string; timestamp: number }[]);
    expect(batches.length).toBeGreaterThanOrEqual(4);
    for (const b of batches) {
      expect(b.length).toBeLessThanOrEqual(MAX_BATCH_EVENTS);
      expect(b.reduce((n, e) => n + Buffer.byteLength(e.message) + 26, 0)).toBeLessThanOrEqual(
        MAX_BATCH_BYTES,
      );
      expect(b.map((e) => e.timestamp)).toEqual(b.map((e) => e.timestamp).sort((x, y) => x - y));
    }
    expect(batches.flat()).toHaveLength(12_025);
    // And CloudWatch has them all.
    let n = 0;
    let token: string | undefined;
    for (;;) {
      const r = await new CloudWatchLogsClient({}).send(
        new GetLogEventsCommand({
          logGroupName: group,
          logStreamName: 'manual_run_20240101_000000',
          startFromHead: true,
          nextToken: token,
        }),
      );
      n += r.events?.length ?? 0;
      if (!r.events?.length || r.nextForwardToken === token) break;
      token = r.nextForwardToken;
    }
    expect(n).toBe(12_025);
  });
});
