/**
 * The per-config lock on AWS: a lease in the config item. Two processes running the same
 * CONFIG_ID: the second fails naming the holder, or waits for it; a run killed in the middle of
 * its commit (SIGKILL at a failpoint, real `floe run` processes) leaves a lease nobody renews, which
 * the next run takes over once it expired, recording the dead run as INTERRUPTED and removing the
 * files it wrote to S3 but never committed (from its journal in S3), so the table ends exactly as
 * a clean run leaves it.
 */
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GlueClient } from '@aws-sdk/client-glue';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlueCatalog } from '../../src/iceberg/catalog/glue.js';
import { loadTable } from '../../src/iceberg/index.js';
import { S3FileIO } from '../../src/iceberg/io/s3.js';
import { referencedFiles } from '../../src/iceberg/maintenance/referenced.js';
import { DynamoConfigLocks } from '../../src/runtime/aws/dynamo-config-lock.js';
import { DynamoConfigStore } from '../../src/runtime/aws/dynamo-config-store.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import { ddb, putItem, s3 } from '../support/aws-moto.js';
import { type AwsWorld, awsWorld } from '../support/aws-world.js';

const exec = promisify(execFile);
const bin = new URL('../../bin/floe.js', import.meta.url).pathname;
let sim: WrikeSimulator;
let world: AwsWorld;

/** `floe run <seed argv>` as its own process; its exit code and output whatever they are. */
async function floeRun(extra: string[], env: Record<string, string> = {}) {
  try {
    const r = await exec(process.execPath, [bin, 'run', ...world.argv(extra)], {
      env: { ...process.env, ...world.env, ...env },
      timeout: 120_000,
    });
    return { code: 0, ...r };
  } catch (e) {
    const x = e as { code?: number; signal?: string; stdout?: string; stderr?: string };
    return { code: x.code ?? null, signal: x.signal, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

async function configItem(id: string) {
  const r = await ddb().send(
    new GetItemCommand({ TableName: world.configTable, Key: { configId: { S: id } }, ConsistentRead: true }),
  );
  return unmarshall(r.Item!);
}

beforeAll(async () => {
  sim = await startWrikeSimulator({ tasks: 400, rateLimit: false, seed: 4 });
  world = await awsWorld(sim);
  await putItem(
    world.configTable,
    world.item(sim, {
      configId: 'Wrike_Tasks',
      object: 'tasks',
      path: '/tasks',
      table: 'staging_tasks',
      writeMode: 'MERGE',
      paginated: true,
    }),
  );
  await putItem(
    world.configTable,
    world.item(sim, {
      configId: 'Wrike_Tasks_Append',
      object: 'tasks',
      path: '/tasks',
      table: 'tasks_append',
      writeMode: 'APPEND',
      loadType: 'INCREMENTAL',
      paginated: true,
      incremental: true,
    }),
  );
});
afterAll(async () => {
  await sim?.close();
});

describe('the DynamoDB per-config lock', () => {
  it('a second process running the same CONFIG_ID fails naming the holder, or waits for it', async () => {
    const store = new DynamoConfigStore(ddb(), { l1: world.configTable });
    const holder = new DynamoConfigLocks(ddb(), store, 'run-holder-123', { host: 'host-a' });
    const lease = await holder.acquire('L1', 'Wrike_Contacts');
    const refused = await floeRun(['--CONFIG_ID', 'Wrike_Contacts']);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(
      /L1 config Wrike_Contacts is being run by another floe run: run run-holder-123, pid \d+ on host-a/,
    );
    // With --wait-for-lock it waits, and runs once the holder is done.
    const waiting = floeRun(['--CONFIG_ID', 'Wrike_Contacts', '--wait-for-lock', '30']);
    await new Promise((r) => setTimeout(r, 1500));
    await lease.release();
    const waited = await waiting;
    expect(waited.code, waited.stderr).toBe(0);
    expect((await configItem('Wrike_Contacts')).status.state).toBe('completed');
    expect((await configItem('Wrike_Contacts')).floeLock).toBeUndefined();
  });

  it('a run killed mid-commit is taken over after its lease expires; its uncommitted S3 files are removed', async () => {
    const lease = { FLOE_CONFIG_LEASE_SECONDS: '2' };
    const killed = await floeRun(['--CONFIG_ID', 'Wrike_Tasks'], {
      ...lease,
      FLOE_FAILPOINT: 'iceberg.before-swap:2',
    });
    expect(killed.signal).toBe('SIGKILL');
    const dead = await configItem('Wrike_Tasks');
    expect(dead.floeLock.runId).toMatch(/^run-/);
    expect(dead.status.state).toBe('running');
    const prefix = 'wrike/test/iceberg-warehouse/staging_tasks/';
    const list = async (p: string) =>
      ((await s3().send(new ListObjectsV2Command({ Bucket: world.bucket, Prefix: p }))).Contents ?? []).map(
        (o) => `s3://${world.bucket}/${o.Key}`,
      );
    const left = await list(prefix);
    expect(left.some((f) => f.endsWith('.parquet'))).toBe(true);
    expect((await list('wrike/test/iceberg-warehouse/_floe/journal/')).length).toBeGreaterThan(0);

    // Once the lease has expired (nobody renews it), the next run takes over.
    await new Promise((r) => setTimeout(r, 2500));
    const next = await floeRun(['--CONFIG_ID', 'Wrike_Tasks'], lease);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(
      `took over the lock of L1 config Wrike_Tasks from run ${dead.floeLock.runId}`,
    );
    expect(next.stderr).toMatch(
      new RegExp(`removed \\d+ file\\(s\\) that run ${dead.floeLock.runId} wrote but never committed`),
    );

    const t = await loadTable(world.catalog(), `${world.database}.staging_tasks`);
    expect((await t.scan().toRows()).length).toBe(400);
    const refs = await referencedFiles(t.catalog.io, t.metadata, t.metadataLocation);
    // Every file under the table belongs to it; the dead run's journal is gone.
    expect((await list(prefix)).filter((f) => !refs.has(f))).toEqual([]);
    expect(await list('wrike/test/iceberg-warehouse/_floe/journal/')).toEqual([]);
    const h = await ddb().send(
      new QueryCommand({
        TableName: world.historyTable,
        KeyConditionExpression: 'configId = :c',
        ExpressionAttributeValues: { ':c': { S: 'Wrike_Tasks' } },
      }),
    );
    const statuses = (h.Items ?? []).map((i) => unmarshall(i)).map((i) => [i['job-id'], i.lastRunStatus]);
    expect(statuses).toContainEqual([dead.floeLock.runId, 'INTERRUPTED']);
    expect(statuses.filter(([, s]) => s === 'SUCCESS')).toHaveLength(1);
  });

  it('a run killed between its commit and its state update is adopted from the table: nothing fetched or written twice', async () => {
    const lease = { FLOE_CONFIG_LEASE_SECONDS: '1' };
    const killed = await floeRun(['--CONFIG_ID', 'Wrike_Tasks_Append'], {
      ...lease,
      FLOE_FAILPOINT: 'l1.after-commit',
    });
    expect(killed.signal).toBe('SIGKILL');
    const deadRun = (await configItem('Wrike_Tasks_Append')).floeLock.runId as string;
    await new Promise((r) => setTimeout(r, 1500));
    const next = await floeRun(['--CONFIG_ID', 'Wrike_Tasks_Append'], lease);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(`recovered by run`);
    const t = await loadTable(world.catalog(), `${world.database}.tasks_append`);
    expect((await t.scan().toRows()).length).toBe(400);
    const h = await ddb().send(
      new QueryCommand({
        TableName: world.historyTable,
        KeyConditionExpression: 'configId = :c',
        ExpressionAttributeValues: { ':c': { S: 'Wrike_Tasks_Append' } },
      }),
    );
    const rows = (h.Items ?? []).map((i) => unmarshall(i));
    expect(rows.find((r) => r['job-id'] === deadRun)).toMatchObject({
      lastRunStatus: 'SUCCESS',
      totalRecordsProcessed: 400,
    });
    expect((await configItem('Wrike_Tasks_Append')).destination.lastSyncTime).not.toBe('');
  });

  it("a lease given back while another config's commit checks its leases does not fail that commit", async () => {
    const store = new DynamoConfigStore(ddb(), { l1: world.configTable });
    let releasing: (() => Promise<void>) | undefined;
    // The check reads Wrike_Tasks_Append's item; that config's run ends (gives its lease back)
    // between the check listing the leases and reading the item: the race a parallel run hits.
    const racing = Object.create(store) as DynamoConfigStore;
    racing.rawItem = async (kind, configId) => {
      if (configId === 'Wrike_Tasks_Append' && releasing) {
        const r = releasing;
        releasing = undefined;
        await r();
      }
      return store.rawItem(kind, configId);
    };
    const locks = new DynamoConfigLocks(ddb(), racing, 'run-parallel', { host: 'host-p' });
    const mine = await locks.acquire('L1', 'Wrike_Tasks');
    const other = await locks.acquire('L1', 'Wrike_Tasks_Append');
    releasing = () => other.release();
    await expect(locks.assertHeld()).resolves.toBeUndefined();
    expect(releasing).toBeUndefined(); // the release did happen inside the check
    await mine.release();
  });

  it('a run that lost its lease (frozen past it, taken over) commits nothing more', async () => {
    const store = new DynamoConfigStore(ddb(), { l1: world.configTable });
    const frozen = new DynamoConfigLocks(ddb(), store, 'run-frozen', { host: 'host-f', leaseMs: 60_000 });
    const lease = await frozen.acquire('L1', 'Wrike_Contacts');
    await frozen.assertHeld();
    // Its lease runs out while it is frozen, and another run takes the config over.
    await ddb().send(
      new UpdateItemCommand({
        TableName: world.configTable,
        Key: { configId: { S: 'Wrike_Contacts' } },
        UpdateExpression: 'SET floeLock.expiresAtMs = :zero',
        ExpressionAttributeValues: { ':zero': { N: '0' } },
      }),
    );
    const other = new DynamoConfigLocks(ddb(), store, 'run-other', { host: 'host-o' });
    const taken = await other.acquire('L1', 'Wrike_Contacts');
    const io = new S3FileIO({ client: s3(), tempDir: join(tmpdir(), 'floe-lock-io') });
    const catalog = new GlueCatalog({
      client: new GlueClient({}),
      io,
      warehouse: world.warehouse,
      beforeCommit: () => frozen.assertHeld(),
    });
    const t = await loadTable(catalog, `${world.database}.wrike_contacts`);
    const before = t.snapshots().length;
    await expect(t.append([{ id: 'X-FROZEN' }])).rejects.toThrow(
      /this run lost the lock of L1 config Wrike_Contacts \(run run-other on host-o holds it now\)/,
    );
    const after = await loadTable(world.catalog(), `${world.database}.wrike_contacts`);
    expect(after.snapshots()).toHaveLength(before);
    const refs = await referencedFiles(after.catalog.io, after.metadata, after.metadataLocation);
    const files = (
      (
        await s3().send(
          new ListObjectsV2Command({
            Bucket: world.bucket,
            Prefix: 'wrike/test/iceberg-warehouse/contacts/',
          }),
        )
      ).Contents ?? []
    ).map((o) => `s3://${world.bucket}/${o.Key}`);
    expect(files.filter((f) => !refs.has(f))).toEqual([]);
    await lease.release();
    await taken.release();
  });
});
