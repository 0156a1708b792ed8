/** Enums, defaults, extensions, cross-field rules and the generated JSON Schema. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  configJsonSchema,
  LOAD_TYPES,
  parseL1Item,
  parseL2Item,
  validateL1Item,
  validateL2Item,
  WRITE_MODES,
} from '../../src/config/index.js';

// biome-ignore lint/suspicious/noExplicitAny: tests walk parsed JSON and generated JSON Schema ad hoc
type Json = any;

const seed = (): Record<string, Json> =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/seed/wrike-contacts.l1.json'), 'utf8'));

/** A minimal L1 item: only what has no default. */
const minimal = (destination: Record<string, unknown> = {}) => ({
  configId: 'Wrike_Tasks',
  platform: 'wrike',
  source: { auth: { type: 'PERM', tokenKey: 't' }, request: { url: 'https://www.wrike.com/api/v4/tasks' } },
  destination: { glueDatabase: 'wrike', glueTable: 'tasks', ...destination },
});

const minimalL2 = (extra: Record<string, unknown> = {}) => ({
  configId: 'p',
  parserName: 'project_parser',
  source: { projects: { glueDatabase: 'w', glueTable: 'staging_projects' } },
  destination: { glueDatabase: 'w', glueTable: 'projects' },
  ...extra,
});

describe('L1 enums', () => {
  it.each(LOAD_TYPES)('loadType %s', (loadType) => {
    const c = parseL1Item(minimal({ loadType, lastUpdatedColumn: 'updatedDate' }));
    expect(c.destination.loadType).toBe(loadType);
  });

  it.each(WRITE_MODES)('defaultwriteMode %s', (mode) => {
    const c = parseL1Item(minimal({ defaultwriteMode: mode, primaryKey: ['id'] }));
    expect(c.destination.defaultwriteMode).toBe(mode);
  });

  it('matches enum values case-insensitively and normalises them', () => {
    const c = parseL1Item(minimal({ defaultwriteMode: 'merge', primaryKey: ['id'], loadType: 'Full' }));
    expect(c.destination.defaultwriteMode).toBe('MERGE');
    expect(c.destination.loadType).toBe('FULL');
  });

  it.each(['snake_case', 'source'] as const)('columnNaming %s', (columnNaming) => {
    expect(parseL1Item(minimal({ columnNaming })).destination.columnNaming).toBe(columnNaming);
  });

  it.each(['identity', 'year', 'month', 'day', 'hour', 'void', 'bucket[16]', 'truncate[4]', 'Month'])(
    'partition transform %s',
    (transform) => {
      const c = parseL1Item(minimal({ partitionBy: [{ source: 'createdDate', transform }] }));
      expect(c.destination.partitionBy[0]?.transform).toBe(transform.toLowerCase());
    },
  );

  it.each(['bucket', 'bucket[0]', 'weekly'])('rejects partition transform %s', (transform) => {
    expect(validateL1Item(minimal({ partitionBy: [{ source: 'c', transform }] })).ok).toBe(false);
  });

  it('schemaEvolution accepts true/false and a list', () => {
    for (const schemaEvolution of [true, false, ['ADD_COLUMNS']]) {
      const c = parseL1Item(minimal({ icebergOptimizations: { schemaEvolution } }));
      expect(c.destination.icebergOptimizations.schemaEvolution).toEqual(schemaEvolution);
    }
  });
});

describe('L1 defaults and extensions', () => {
  it('applies defaults to a minimal item', () => {
    const c = parseL1Item(minimal());
    expect(c.destination).toMatchObject({
      namespace: 'wrike',
      tableName: 'tasks',
      loadType: 'FULL',
      defaultwriteMode: 'APPEND',
      primaryKey: [],
      columnNaming: 'snake_case',
      partitionBy: [],
      lookbackSeconds: 0,
      batchRows: 10_000,
      icebergOptimizations: { schemaEvolution: true },
    });
    expect(c.notifications).toEqual({ onFailure: true, onSuccess: false });
    expect(c.retryPolicy.maxAttempts).toBe(3);
    expect(c.retryPolicy.backoff).toBe('EXPONENTIAL');
    expect(c.enabled).toBe(true);
  });

  it('namespace/tableName win over glueDatabase/glueTable and replace them', () => {
    const both = parseL1Item(minimal({ namespace: 'ns', tableName: 'tbl' }));
    expect([both.destination.namespace, both.destination.tableName]).toEqual(['ns', 'tbl']);
    const item = minimal({ namespace: 'ns', tableName: 'tbl' });
    delete (item.destination as Record<string, unknown>).glueDatabase;
    delete (item.destination as Record<string, unknown>).glueTable;
    expect(parseL1Item(item).destination.namespace).toBe('ns');
  });

  it('loadType falls back to source.defaultFetchMode', () => {
    const item = minimal({ lastUpdatedColumn: 'updatedDate' });
    (item.source as Record<string, unknown>).defaultFetchMode = 'INCREMENTAL';
    expect(parseL1Item(item).destination.loadType).toBe('INCREMENTAL');
  });

  it('lookbackSeconds: destination wins, else source.incremental, else 0', () => {
    const item = minimal();
    (item.source as Record<string, unknown>).incremental = {
      cursorField: 'updatedDate',
      lookbackSeconds: 30,
    };
    expect(parseL1Item(item).destination.lookbackSeconds).toBe(30);
    (item.destination as Record<string, unknown>).lookbackSeconds = 120;
    expect(parseL1Item(item).destination.lookbackSeconds).toBe(120);
  });

  it('a single-string primaryKey is read as a list; batchRows must be positive', () => {
    expect(parseL1Item(minimal({ primaryKey: 'id' })).destination.primaryKey).toEqual(['id']);
    expect(validateL1Item(minimal({ batchRows: 0 })).ok).toBe(false);
    expect(parseL1Item(minimal({ batchRows: 500 })).destination.batchRows).toBe(500);
  });

  it('keeps the seed item valid with every extension added', () => {
    const item = seed();
    Object.assign(item.destination, {
      namespace: 'raw',
      tableName: 'contacts',
      columnNaming: 'source',
      partitionBy: [{ source: 'fetchedOn', transform: 'day' }],
      lookbackSeconds: 60,
      batchRows: 2000,
    });
    const c = parseL1Item(item);
    expect(c.destination.partitionBy).toEqual([{ source: 'fetchedOn', transform: 'day' }]);
    expect(c.destination.glueTable).toBe('wrike_contacts');
  });

  it('accepts a non-empty lastSyncTime that is a date-time, rejects one that is not', () => {
    expect(parseL1Item(minimal({ lastSyncTime: '2024-01-15T10:30:00Z' })).destination.lastSyncTime).toBe(
      '2024-01-15T10:30:00Z',
    );
    expect(validateL1Item(minimal({ lastSyncTime: 'yesterday' })).ok).toBe(false);
  });
});

describe('cross-field rules', () => {
  it('MERGE without primaryKey is an error naming the fix', () => {
    const r = validateL1Item(minimal({ defaultwriteMode: 'MERGE' }));
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      expect.objectContaining({
        field: 'destination.primaryKey',
        fix: expect.stringContaining('primaryKey'),
      }),
    ]);
  });

  it('INCREMENTAL without lastUpdatedColumn is an error; source.incremental.cursorField also satisfies it', () => {
    const r = validateL1Item(minimal({ loadType: 'INCREMENTAL' }));
    expect(r.problems.map((p) => p.field)).toEqual(['destination.lastUpdatedColumn']);
    const item = minimal({ loadType: 'INCREMENTAL' });
    (item.source as Record<string, unknown>).incremental = { cursorField: 'updatedDate' };
    expect(validateL1Item(item).ok).toBe(true);
  });

  it('a destination needs glueDatabase or namespace, glueTable or tableName', () => {
    const r = validateL1Item({ ...minimal(), destination: {} });
    expect(r.problems.map((p) => p.field).sort()).toEqual([
      'destination.glueDatabase',
      'destination.glueTable',
    ]);
  });
});

describe('L2', () => {
  it('applies defaults and resolves names', () => {
    const c = parseL2Item(minimalL2());
    expect(c.loadType).toBe('FULL');
    expect(c.destination).toMatchObject({
      namespace: 'w',
      tableName: 'projects',
      defaultwriteMode: 'OVERWRITE',
      dropExtraColumns: false,
      primaryKey: [],
      partitionBy: [],
      loadType: 'FULL',
    });
    expect(c.source.projects).toMatchObject({
      fetchMode: 'FULL',
      namespace: 'w',
      tableName: 'staging_projects',
    });
    expect(c.notifications).toEqual({ onFailure: true, onSuccess: false });
  });

  it.each(['FULL', 'INCREMENTAL'])('fetchMode %s', (fetchMode) => {
    const c = parseL2Item(minimalL2({ source: { p: { glueDatabase: 'w', glueTable: 't', fetchMode } } }));
    expect(c.source.p?.fetchMode).toBe(fetchMode);
  });

  it('the item-level primaryKey (seed table) is the fallback for MERGE', () => {
    const item = minimalL2({ primaryKey: ['project_id'] });
    (item.destination as Record<string, unknown>).defaultwriteMode = 'MERGE';
    expect(parseL2Item(item).destination.primaryKey).toEqual(['project_id']);
    delete (item as Record<string, unknown>).primaryKey;
    expect(validateL2Item(item).problems.map((p) => p.field)).toEqual(['destination.primaryKey']);
  });

  it('needs at least one source table', () => {
    expect(validateL2Item(minimalL2({ source: {} })).ok).toBe(false);
  });
});

describe('JSON Schema', () => {
  it.each(['l1', 'l2'] as const)('%s: valid JSON with descriptions, defaults and enums', (layer) => {
    const schema = configJsonSchema(layer);
    const text = JSON.stringify(schema);
    expect(JSON.parse(text)).toEqual(schema);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.type).toBe('object');
    const props = schema.properties as Record<string, Json>;
    expect(props.configId.description).toMatch(/Unique id/);
    expect(schema.required).toEqual(expect.arrayContaining(['configId', 'destination']));
    const dest = props.destination;
    expect(dest.description).toBeTruthy();
    expect(dest.properties.defaultwriteMode.enum).toEqual(['APPEND', 'OVERWRITE', 'MERGE']);
    expect(dest.properties.defaultwriteMode.description).toMatch(/MERGE/);
  });

  it('l1 documents the extensions with their defaults', () => {
    const dest = (configJsonSchema('l1').properties as Record<string, Json>).destination.properties;
    expect(dest.columnNaming).toMatchObject({ enum: ['snake_case', 'source'], default: 'snake_case' });
    expect(dest.batchRows.default).toBe(10_000);
    expect(dest.lookbackSeconds.description).toMatch(/lastSyncTime/);
    expect(dest.namespace.description).toMatch(/glueDatabase/);
    expect(dest.partitionBy.items.properties.transform.description).toMatch(/bucket\[N\]/);
  });

  it('l2 documents the source tables and dropExtraColumns', () => {
    const props = configJsonSchema('l2').properties as Record<string, Json>;
    expect(props.parserName.description).toBeTruthy();
    expect(props.source.additionalProperties.properties.fetchMode.enum).toEqual(['FULL', 'INCREMENTAL']);
    expect(props.destination.properties.dropExtraColumns.default).toBe(false);
  });
});
