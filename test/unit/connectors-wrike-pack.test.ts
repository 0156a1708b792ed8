// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` are config placeholders, not JS templates
/**
 * The Wrike pack as data: every item is a valid L1 config (seed shape plus extensions), the
 * objects/tables/write modes are the documented ones, and `wrikePack()` options rewrite only
 * what they should.
 */
import { describe, expect, it } from 'vitest';
import { validateL1Item } from '../../src/config/index.js';
import {
  WRIKE_CONFIG_IDS,
  WRIKE_DEFAULT_API_BASE,
  type WrikePackOptions,
  wrikeApiBase,
  wrikePack,
  wrikePackFiles,
} from '../../src/connectors/wrike/index.js';
import { isFloeError } from '../../src/errors.js';

/** The parts of an item these tests read, as the YAML holds them. */
interface PackItem {
  configId: string;
  platform: string;
  source: {
    auth: Record<string, unknown>;
    request: { url: string; headers: Record<string, string>; params?: Record<string, unknown> };
    response: { dataPath: string };
    pagination?: Record<string, unknown>;
    incremental?: Record<string, unknown>;
    rateLimit?: Record<string, unknown>;
  };
  destination: Record<string, unknown>;
  retryPolicy: Record<string, unknown>;
  notifications: Record<string, unknown>;
}
const pack = (opts?: WrikePackOptions) => wrikePack(opts) as unknown as PackItem[];
const byId = (items: PackItem[]) => new Map(items.map((i) => [i.configId, i]));

describe('Wrike pack items', () => {
  it('every item validates with validateL1Item, without problems', () => {
    const items = wrikePack();
    expect(items.map((i) => i.configId)).toEqual([...WRIKE_CONFIG_IDS]);
    for (const item of items) {
      const r = validateL1Item(item);
      expect(r.problems, r.configId).toEqual([]);
      expect(r.ok).toBe(true);
    }
  });

  it('has the documented objects, tables and write modes', () => {
    const summary = wrikePack().map((raw) => {
      const c = validateL1Item(raw).config!;
      return [
        c.configId,
        c.objectName,
        c.destination.tableName,
        c.destination.loadType,
        c.destination.defaultwriteMode,
      ];
    });
    expect(summary).toEqual([
      ['Wrike_Contacts', 'contacts', 'staging_contacts', 'FULL', 'OVERWRITE'],
      ['Wrike_CustomFields', 'customfields', 'staging_customfields', 'FULL', 'OVERWRITE'],
      ['Wrike_Workflows', 'workflows', 'staging_workflows', 'FULL', 'OVERWRITE'],
      ['Wrike_Spaces', 'spaces', 'staging_spaces', 'FULL', 'OVERWRITE'],
      ['Wrike_Folders', 'folders', 'staging_folders', 'FULL', 'OVERWRITE'],
      ['Wrike_Projects', 'projects', 'staging_projects', 'FULL', 'OVERWRITE'],
      ['Wrike_ProjectsDetails', 'projectsdetails', 'staging_projectsdetails', 'FULL', 'OVERWRITE'],
      ['Wrike_Tasks', 'tasks', 'staging_tasks', 'INCREMENTAL', 'MERGE'],
      ['Wrike_Timelogs', 'timelogs', 'staging_timelogs', 'INCREMENTAL', 'MERGE'],
    ]);
  });

  it('keeps the seed shape: PERM auth from the secret store, bearer header, $.data, 400/min', () => {
    for (const item of pack()) {
      expect(item.platform).toBe('wrike');
      expect(item.source.auth).toMatchObject({ type: 'PERM', tokenKey: 'wrike-token' });
      expect(item.source.request.headers.Authorization).toBe('Bearer ${accessToken}');
      expect(item.source.request.url.startsWith(`${WRIKE_DEFAULT_API_BASE}/`)).toBe(true);
      expect(item.source.response.dataPath).toBe('$.data');
      expect(item.source.rateLimit).toEqual({ requestsPerMinute: 400 });
      expect(item.destination).toMatchObject({
        glueDatabase: 'wrike_staging',
        primaryKey: ['id'],
        icebergOptimizations: { schemaEvolution: true },
      });
      expect(item.retryPolicy.backoff).toBe('EXPONENTIAL');
      expect(item.notifications).toEqual({ onFailure: true, onSuccess: false });
    }
  });

  it('pages tasks by nextPageToken and reads tasks/timelogs incrementally by updatedDate', () => {
    const items = byId(pack());
    const tasks = items.get('Wrike_Tasks')!;
    expect(tasks.source.pagination).toMatchObject({
      type: 'cursor',
      pageSize: 1000,
      pageSizeOption: { in: 'query', name: 'pageSize' },
      cursorPath: '$.nextPageToken',
      tokenOption: { in: 'query', name: 'nextPageToken' },
    });
    for (const id of ['Wrike_Tasks', 'Wrike_Timelogs']) {
      const it = items.get(id)!;
      expect(it.source.incremental).toEqual({
        cursorField: 'updatedDate',
        params: { updatedDate: '{"start":"${start}"}' },
      });
      expect(it.destination).toMatchObject({ lastUpdatedColumn: 'updatedDate', defaultwriteMode: 'MERGE' });
    }
    expect(items.get('Wrike_Folders')!.source.request.params?.project).toBe(false);
    expect(items.get('Wrike_Projects')!.source.request.params?.project).toBe(true);
    expect(items.get('Wrike_ProjectsDetails')!.source.request.params).toMatchObject({
      project: true,
      fields: expect.arrayContaining(['description', 'briefDescription']),
    });
  });
});

describe('wrikePack options', () => {
  it('points every URL at another base and sets namespace and token key', () => {
    const items = pack({ baseUrl: 'http://127.0.0.1:4567', namespace: 'acme_raw', tokenKey: 'acme-wrike' });
    for (const item of items) {
      expect(item.source.request.url).toMatch(/^http:\/\/127\.0\.0\.1:4567\/api\/v4\/[a-z]+$/);
      expect(item.source.auth.tokenUrl).toBe('http://127.0.0.1:4567/oauth2/token');
      expect(item.source.auth.tokenKey).toBe('acme-wrike');
      expect(item.destination.glueDatabase).toBe('acme_raw');
      expect(validateL1Item(item).ok).toBe(true);
    }
  });

  it('keeps the global token URL for a regional Wrike host', () => {
    const tasks = byId(pack({ baseUrl: 'app-eu.wrike.com' })).get('Wrike_Tasks')!;
    expect(tasks.source.request.url).toBe('https://app-eu.wrike.com/api/v4/tasks');
    expect(tasks.source.auth.tokenUrl).toBe('https://www.wrike.com/oauth2/token');
  });

  it('normalises base URLs', () => {
    expect(wrikeApiBase(undefined)).toBe(WRIKE_DEFAULT_API_BASE);
    expect(wrikeApiBase('app-us2.wrike.com')).toBe('https://app-us2.wrike.com/api/v4');
    expect(wrikeApiBase('https://app-eu.wrike.com/api/v4/')).toBe('https://app-eu.wrike.com/api/v4');
    expect(wrikeApiBase('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/api/v4');
    expect(wrikeApiBase('http://proxy.local/wrike/api/v4')).toBe('http://proxy.local/wrike/api/v4');
  });

  it.each([
    [{ baseUrl: 'ftp://x.example' }, /must be http or https/],
    [{ baseUrl: 'https://x.example/api/v4?a=1' }, /query/],
    [{ baseUrl: '' }, /not a URL/],
    [{ namespace: 'Bad-Name' }, /not a valid Glue database name/],
    [{ tokenKey: ' ' }, /must not be empty/],
  ])('rejects %j with a config error', (opts, message) => {
    try {
      wrikePack(opts);
      expect.unreachable();
    } catch (e) {
      expect(isFloeError(e, 'config-invalid')).toBe(true);
      expect((e as Error).message).toMatch(message);
    }
  });

  it('keeps the YAML comments in the files, with the options applied', () => {
    const files = wrikePackFiles({ baseUrl: 'http://127.0.0.1:9' });
    expect(files.map((f) => f.configId)).toEqual([...WRIKE_CONFIG_IDS]);
    const tasks = files.find((f) => f.configId === 'Wrike_Tasks')!;
    expect(tasks.name).toBe('tasks.yaml');
    expect(tasks.text).toMatch(/^# Wrike tasks/);
    expect(tasks.text).toContain('url: http://127.0.0.1:9/api/v4/tasks');
    expect(tasks.text).toContain('# Absent on the last page.');
  });
});
