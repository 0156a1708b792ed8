/**
 * `floe config push|pull|diff` between a project folder and the DynamoDB config tables (moto),
 * and `floe plan --json` from either: configuration moves, run state never does (a push keeps a
 * config's cursor and status; diff ignores them; pull leaves them out of the files), and L2
 * configs come after the L1 configs whose tables they read.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadProjectConfigs } from '../../src/config/file-config-store.js';
import { diffConfigs, pullConfigs, pushConfigs } from '../../src/runtime/aws/config-sync.js';
import { DynamoConfigStore } from '../../src/runtime/aws/dynamo-config-store.js';
import { DynamoStateStore } from '../../src/runtime/aws/dynamo-state-store.js';
import { awsEnv, createConfigTable, ddb, moto, uniq } from '../support/aws-moto.js';

const exec = promisify(execFile);
const bin = new URL('../../bin/floe.js', import.meta.url).pathname;
const seedL2 = readFileSync(
  new URL('../fixtures/seed/wrike-projects.l2.dynamodb.json', import.meta.url),
  'utf8',
);
let endpoint: string;

function l1(configId: string, table: string) {
  return {
    configId,
    platform: 'wrike',
    objectName: table,
    source: {
      auth: { type: 'PERM', tokenKey: 'wrike-token' },
      request: { method: 'GET', url: `https://www.wrike.com/api/v4/${table}` },
      response: { dataPath: '$.data' },
    },
    destination: {
      glueDatabase: 'wrike_test',
      glueTable: `staging_${table}`,
      primaryKey: ['id'],
      loadType: 'FULL',
      lastSyncTime: '',
    },
    notifications: { onFailure: true, onSuccess: false },
  };
}

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'floe-sync-'));
  mkdirSync(join(dir, 'configs', 'l1'), { recursive: true });
  mkdirSync(join(dir, 'configs', 'l2'), { recursive: true });
  writeFileSync(join(dir, 'floe.yaml'), 'environment: test\n');
  writeFileSync(
    join(dir, 'configs', 'l1', 'contacts.json'),
    JSON.stringify(l1('Wrike_Contacts', 'contacts'), null, 2),
  );
  writeFileSync(
    join(dir, 'configs', 'l1', 'folders.json'),
    JSON.stringify(l1('Wrike_Folders', 'folders'), null, 2),
  );
  writeFileSync(join(dir, 'configs', 'l2', 'projects.json'), seedL2);
  return dir;
}

async function floe(args: string[]) {
  try {
    const r = await exec(process.execPath, [bin, ...args], {
      env: { ...process.env, ...awsEnv(endpoint) },
      timeout: 60_000,
    });
    return { code: 0, ...r };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

beforeAll(async () => {
  endpoint = await moto();
});

describe('floe config push|pull|diff', () => {
  it('pushes the project, keeps run state on a later push, and diff ignores run state', async () => {
    const dir = project();
    const t1 = uniq('cfg-l1');
    const t2 = uniq('cfg-l2');
    await createConfigTable(t1);
    await createConfigTable(t2);
    const store = new DynamoConfigStore(ddb(), { l1: t1, l2: t2 });
    expect((await diffConfigs(dir, store, 'L1')).map((c) => [c.configId, c.change])).toEqual([
      ['Wrike_Contacts', 'only-in-project'],
      ['Wrike_Folders', 'only-in-project'],
    ]);
    await pushConfigs(dir, store, ddb(), 'L1');
    await pushConfigs(dir, store, ddb(), 'L2');
    const fresh = () => new DynamoConfigStore(ddb(), { l1: t1, l2: t2 });
    expect((await diffConfigs(dir, fresh(), 'L1')).every((c) => c.change === 'same')).toBe(true);
    expect((await diffConfigs(dir, fresh(), 'L2')).map((c) => c.change)).toEqual(['same']);

    // A run records its state in the item: not a configuration difference.
    await new DynamoStateStore(ddb(), fresh()).update('L1', 'Wrike_Contacts', {
      status: 'COMPLETED',
      lastSyncTime: '2024-05-01T00:00:00Z',
      lastRunId: 'run-1',
    });
    expect((await diffConfigs(dir, fresh(), 'L1')).every((c) => c.change === 'same')).toBe(true);

    // A configuration change is one, and pushing it keeps the state.
    const changed = { ...l1('Wrike_Contacts', 'contacts'), retryPolicy: { maxAttempts: 5 } };
    changed.destination.primaryKey = ['id', 'type'];
    writeFileSync(join(dir, 'configs', 'l1', 'contacts.json'), JSON.stringify(changed, null, 2));
    const d = (await diffConfigs(dir, fresh(), 'L1')).find((c) => c.configId === 'Wrike_Contacts')!;
    expect(d).toMatchObject({ change: 'differs', fields: ['destination.primaryKey', 'retryPolicy'] });
    const cli = await floe(['config', 'diff', '--project', dir, '--config-table', t1]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(
      '~ L1 Wrike_Contacts (configs/l1/contacts.json): destination.primaryKey, retryPolicy',
    );

    const pushed = await floe(['config', 'push', '--project', dir, '--config-table', t1]);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toContain(`wrote 1 L1 config(s) to ${t1}`);
    const item = unmarshall(
      (await ddb().send(new GetItemCommand({ TableName: t1, Key: { configId: { S: 'Wrike_Contacts' } } })))
        .Item!,
    );
    expect(item.destination.primaryKey).toEqual(['id', 'type']);
    expect(item.destination.lastSyncTime).toBe('2024-05-01T00:00:00Z');
    expect(item.status.state).toBe('completed');
    expect(item.floeState.lastRunId).toBe('run-1');
    const clean = await floe([
      'config',
      'diff',
      '--project',
      dir,
      '--config-table',
      t1,
      '--l2-config-table',
      t2,
    ]);
    expect([clean.code, clean.stdout.trim()]).toEqual([0, 'no differences']);
  });

  it('pulls the tables into a project folder that validates, without run state', async () => {
    const src = project();
    const t1 = uniq('cfg-l1');
    const t2 = uniq('cfg-l2');
    await createConfigTable(t1);
    await createConfigTable(t2);
    const store = new DynamoConfigStore(ddb(), { l1: t1, l2: t2 });
    await pushConfigs(src, store, ddb(), 'L1');
    await pushConfigs(src, store, ddb(), 'L2');
    await new DynamoStateStore(ddb(), store).update('L2', 'wrike_projects_l2', {
      status: 'COMPLETED',
      lastSuccessfulRun: '2024-01-01T00:00:00Z',
    });
    const dest = mkdtempSync(join(tmpdir(), 'floe-pull-'));
    writeFileSync(join(dest, 'floe.yaml'), '');
    const fresh = new DynamoConfigStore(ddb(), { l1: t1, l2: t2 });
    const l1 = await pullConfigs(dest, fresh, 'L1');
    const l2 = await pullConfigs(dest, fresh, 'L2');
    expect([...l1.written, ...l2.written].sort()).toEqual([
      'configs/l1/Wrike_Contacts.json',
      'configs/l1/Wrike_Folders.json',
      'configs/l2/wrike_projects_l2.json',
    ]);
    const pulled = JSON.parse(readFileSync(join(dest, 'configs', 'l2', 'wrike_projects_l2.json'), 'utf8'));
    for (const k of ['status', 'lastSuccessfulRun', 'updatedAt', 'floeState'])
      expect(pulled[k]).toBeUndefined();
    const loaded = await loadProjectConfigs(dest);
    expect(loaded.l1.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(loaded.l1.configs).toHaveLength(2);
    expect(loaded.l2.configs).toHaveLength(1);
    // Pulling again changes nothing.
    expect((await pullConfigs(dest, fresh, 'L1')).written).toEqual([]);
    expect(readdirSync(join(dest, 'configs', 'l1'))).toHaveLength(2);
  });
});

describe('floe plan --json', () => {
  it('lists the configs with L2 after the L1 configs whose tables it reads, from a project or DynamoDB', async () => {
    const dir = project();
    const expected = {
      platform: 'wrike',
      configs: [
        { configId: 'Wrike_Contacts', layer: 'L1', table: 'wrike_test.staging_contacts', after: [] },
        { configId: 'Wrike_Folders', layer: 'L1', table: 'wrike_test.staging_folders', after: [] },
        {
          configId: 'wrike_projects_l2',
          layer: 'L2',
          table: 'wrike_test.projects',
          after: ['Wrike_Contacts', 'Wrike_Folders'],
          external: ['wrike_test.staging_customfields', 'wrike_test.staging_projectsdetails'],
        },
      ],
      stages: [
        { layer: 'L1', configIds: ['Wrike_Contacts', 'Wrike_Folders'] },
        { layer: 'L2', configIds: ['wrike_projects_l2'] },
      ],
    };
    const local = await floe(['plan', '--json', '--platform', 'wrike', '--project', dir]);
    expect(local.code, local.stderr).toBe(0);
    expect(JSON.parse(local.stdout)).toEqual(expected);
    const t1 = uniq('cfg-l1');
    const t2 = uniq('cfg-l2');
    await createConfigTable(t1);
    await createConfigTable(t2);
    const store = new DynamoConfigStore(ddb(), { l1: t1, l2: t2 });
    await pushConfigs(dir, store, ddb(), 'L1');
    await pushConfigs(dir, store, ddb(), 'L2');
    const remote = await floe([
      'plan',
      '--json',
      '--platform',
      'wrike',
      '--config-table',
      t1,
      '--l2-config-table',
      t2,
    ]);
    expect(remote.code, remote.stderr).toBe(0);
    expect(JSON.parse(remote.stdout)).toEqual(expected);
  });
});
