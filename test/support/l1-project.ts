// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` are config placeholders
/**
 * A throwaway floe project pointed at a Wrike simulator: floe.yaml, L1 config items (seed shape
 * plus extensions) and the token in the project's secrets file.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WrikeSimulator } from '../../src/sim/wrike/index.js';

export const SIM_TOKEN_SECRET = 'wrike-api-token';

export function l1Item(
  sim: WrikeSimulator,
  opts: {
    configId: string;
    object: string;
    path: string;
    table: string;
    writeMode: 'APPEND' | 'OVERWRITE' | 'MERGE';
    loadType?: 'FULL' | 'INCREMENTAL';
    params?: Record<string, unknown>;
    paginated?: boolean;
    incremental?: boolean;
    schemaEvolution?: boolean;
    dataPath?: string;
  },
): Record<string, unknown> {
  return {
    configId: opts.configId,
    platform: 'wrike',
    objectName: opts.object,
    source: {
      apiType: 'REST',
      auth: { type: 'PERM', tokenKey: SIM_TOKEN_SECRET, tokenSource: 'SECRETS_MANAGER' },
      defaultFetchMode: opts.loadType ?? 'FULL',
      request: {
        method: 'GET',
        url: `${sim.baseUrl}${opts.path}`,
        headers: { Accept: 'application/json', Authorization: 'Bearer ${accessToken}' },
        ...(opts.params ? { params: opts.params } : {}),
      },
      response: { dataPath: opts.dataPath ?? '$.data' },
      ...(opts.paginated
        ? {
            pagination: {
              type: 'cursor',
              pageSize: 500,
              pageSizeOption: { in: 'query', name: 'pageSize' },
              cursorPath: '$.nextPageToken',
              tokenOption: { in: 'query', name: 'nextPageToken' },
            },
          }
        : {}),
      ...(opts.incremental
        ? { incremental: { cursorField: 'updatedDate', params: { updatedDate: '{"start":"${start}"}' } } }
        : {}),
    },
    destination: {
      glueDatabase: 'wrike_staging',
      glueTable: opts.table,
      s3Location: 's3://unused/in/local/profile',
      primaryKey: opts.writeMode === 'MERGE' ? ['id'] : [],
      loadType: opts.loadType ?? 'FULL',
      defaultwriteMode: opts.writeMode,
      ...(opts.incremental ? { lastUpdatedColumn: 'updatedDate' } : {}),
      lastSyncTime: '',
      icebergOptimizations: { schemaEvolution: opts.schemaEvolution ?? true },
    },
    retryPolicy: { maxAttempts: 3, backoff: 'EXPONENTIAL', baseDelayMs: 5, maxDelayMs: 20 },
    status: 'active',
  };
}

/** Wrike tasks, INCREMENTAL by updatedDate into a MERGE table: the config most tests exercise. */
export function tasksItem(sim: WrikeSimulator, pageSize = 500): Record<string, unknown> {
  const item = l1Item(sim, {
    configId: 'Wrike_Tasks',
    object: 'tasks',
    path: '/tasks',
    table: 'staging_tasks',
    writeMode: 'MERGE',
    loadType: 'INCREMENTAL',
    paginated: true,
    incremental: true,
  });
  ((item.source as Record<string, unknown>).pagination as Record<string, unknown>).pageSize = pageSize;
  return item;
}

export interface TempProject {
  readonly dir: string;
  writeConfig(item: Record<string, unknown>): void;
  cleanup(): void;
}

export function tempProject(sim: WrikeSimulator | undefined, token: string): TempProject {
  const dir = mkdtempSync(join(tmpdir(), 'floe-project-'));
  mkdirSync(join(dir, 'configs', 'l1'), { recursive: true });
  mkdirSync(join(dir, 'configs', 'l2'), { recursive: true });
  mkdirSync(join(dir, '.floe'), { recursive: true });
  writeFileSync(
    join(dir, 'floe.yaml'),
    'environment: test\nlogs: { format: json, level: warn }\nparallelism: 3\n',
  );
  writeFileSync(join(dir, '.floe', 'secrets.yaml'), `${SIM_TOKEN_SECRET}: ${token}\n`, { mode: 0o600 });
  void sim;
  return {
    dir,
    writeConfig: (item) =>
      writeFileSync(
        join(dir, 'configs', 'l1', `${String(item.configId)}.json`),
        JSON.stringify(item, null, 2),
      ),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The project's catalog (default names from floe.yaml), for reading what a run wrote. */
export async function withProjectCatalog<T>(
  dir: string,
  fn: (c: import('../../src/iceberg/index.js').SqlCatalog) => Promise<T>,
): Promise<T> {
  const { SqlCatalog } = await import('../../src/iceberg/index.js');
  const catalog = new SqlCatalog({
    name: 'floe',
    path: join(dir, '.floe', 'catalog.db'),
    warehouse: join(dir, 'warehouse'),
  });
  try {
    return await fn(catalog);
  } finally {
    await catalog.close();
  }
}
