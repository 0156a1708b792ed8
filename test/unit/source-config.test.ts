// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` are config placeholders, not JS templates
import { describe, expect, it } from 'vitest';
import { SourceItemSchema } from '../../src/config/source-schema.js';
import { FloeError } from '../../src/errors.js';
import { buildSource } from '../../src/source/index.js';
import { compilePath, selectRecords } from '../../src/source/select/jsonpath.js';
import { render } from '../../src/source/template.js';
import { MemorySecretStore } from '../support/memory-secret-store.js';

/** The seed README's example item, verbatim. */
const SEED = {
  configId: 'Wrike_Contacts',
  platform: 'wrike',
  objectName: 'contacts',
  source: {
    apiType: 'REST',
    auth: {
      tokenKey: 'essmdatalake-cc-wrike-apicredentials-sm-test',
      tokenSource: 'SECRETS_MANAGER',
      tokenUrl: 'https://www.wrike.com/oauth2/token',
      type: 'PERM',
    },
    defaultFetchMode: 'FULL',
    request: {
      method: 'GET',
      url: 'https://www.wrike.com/api/v4/contacts',
      headers: { Accept: 'application/json', Authorization: 'Bearer ${accessToken}' },
    },
    response: { dataPath: '$.data' },
  },
  destination: {
    glueDatabase: 'wrike_test',
    glueTable: 'wrike_contacts',
    s3Location: 's3://essmdatalake-customconnectors-test/wrike/test/iceberg-warehouse/contacts/',
    primaryKey: ['id'],
    loadType: 'FULL',
    defaultwriteMode: 'APPEND',
    lastUpdatedColumn: 'fetchedOn',
    lastSyncTime: '',
    icebergOptimizations: { schemaEvolution: true },
  },
  history: { dynamoTable: 'essmdatalake-cc-wrike-ingestionhistory-table-test' },
  notifications: { onFailure: true, onSuccess: false },
  retryPolicy: { backoff: 'EXPONENTIAL', maxAttempts: 3 },
  status: { state: 'running', updatedAt: 'timestamp' },
};

describe('source config schema', () => {
  it('accepts the seed item verbatim, keeps its fields, fills defaults', () => {
    const item = SourceItemSchema.parse(SEED);
    expect(item.source.auth).toMatchObject(SEED.source.auth);
    expect(item.source.pagination).toEqual({ type: 'none', stopOnEmptyPage: true });
    expect(item.retryPolicy).toMatchObject({ backoff: 'EXPONENTIAL', maxAttempts: 3, baseDelayMs: 1000 });
    expect((item as Record<string, unknown>).platform).toBe('wrike');
    expect(item.destination?.lastSyncTime).toBe('');
  });

  it('enum values are case-insensitive', () => {
    const item = SourceItemSchema.parse({
      ...SEED,
      source: {
        ...SEED.source,
        auth: { ...SEED.source.auth, type: 'perm' },
        pagination: { type: 'Link-Header' },
      },
      retryPolicy: { backoff: 'linear' },
    });
    expect(item.source.auth.type).toBe('PERM');
    expect(item.source.pagination.type).toBe('link_header');
    expect(item.retryPolicy.backoff).toBe('LINEAR');
  });

  it('invalid fields are named with their path', () => {
    const bad = {
      ...SEED,
      source: { ...SEED.source, pagination: { type: 'cursor', tokenOption: { name: 't' } } },
    };
    expect(() => buildSource(bad, { secrets: new MemorySecretStore() })).toThrow(
      /Wrike_Contacts: invalid source config: source\.pagination\.cursorPath/,
    );
    const badType = { ...SEED, source: { ...SEED.source, pagination: { type: 'scroll' } } };
    expect(() => buildSource(badType, { secrets: new MemorySecretStore() })).toThrow(
      /source\.pagination\.type: unknown value "scroll"; Expected 'none' \| 'cursor'/,
    );
  });

  it('body placement with GET is refused at build time', () => {
    const cfg = {
      ...SEED,
      source: { ...SEED.source, pagination: { type: 'graphql', pageInfoPath: '$.data.x.pageInfo' } },
    };
    expect(() => buildSource(cfg, { secrets: new MemorySecretStore() })).toThrow(/method is GET; use POST/);
  });
});

describe('records by JSONPath', () => {
  const ctx = { configId: 'C', url: 'u', onMissing: 'ERROR' as const };
  it('one array, many nodes, filters', () => {
    const doc = { result: { items: [{ a: 1 }, { a: 2 }, { a: 3 }] } };
    expect(selectRecords(compilePath('$.result.items', 'C', 'f'), doc, ctx)).toEqual(doc.result.items);
    expect(selectRecords(compilePath('$.result.items[*]', 'C', 'f'), doc, ctx)).toEqual(doc.result.items);
    expect(selectRecords(compilePath('$.result.items[?@.a > 1]', 'C', 'f'), doc, ctx)).toEqual([
      { a: 2 },
      { a: 3 },
    ]);
    expect(selectRecords(compilePath('$', 'C', 'f'), [1, 2], ctx)).toEqual([1, 2]);
  });
  it('missing path: an error by default, or an empty page', () => {
    expect(() => selectRecords(compilePath('$.data', 'C', 'f'), { other: 1 }, ctx)).toThrow(FloeError);
    expect(
      selectRecords(compilePath('$.data', 'C', 'f'), { other: 1 }, { ...ctx, onMissing: 'EMPTY' }),
    ).toEqual([]);
  });
});

describe('templates', () => {
  it('renders, encodes for URLs, and names the field of an unset variable', () => {
    expect(render('Bearer ${accessToken}', { accessToken: 't' }, { configId: 'C', field: 'h' })).toBe(
      'Bearer t',
    );
    expect(
      render('/x?q=${v}', { v: 'a b&c' }, { configId: 'C', field: 'u', encode: encodeURIComponent }),
    ).toBe('/x?q=a%20b%26c');
    expect(() => render('${start}', {}, { configId: 'C', field: 'source.request.params.since' })).toThrow(
      /C: source\.request\.params\.since uses \$\{start\}, which has no value in this run/,
    );
  });
});
