/** Validation errors name the config, the field path and the fix, and report every problem at once. */
import { describe, expect, it } from 'vitest';
import {
  formatProblem,
  parseL1Item,
  parseL2Item,
  validateL1Item,
  withLoadType,
} from '../../src/config/index.js';
import { isFloeError } from '../../src/errors.js';

const item = (destination: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  configId: 'Wrike_Tasks',
  platform: 'wrike',
  source: { auth: { type: 'PERM', tokenKey: 't' }, request: { url: 'https://www.wrike.com/api/v4/tasks' } },
  destination: { glueDatabase: 'wrike', glueTable: 'tasks', primaryKey: ['id'], ...destination },
  ...extra,
});

const lines = (raw: unknown) =>
  validateL1Item(raw)
    .problems.filter((p) => p.severity === 'error')
    .map(formatProblem);

describe('config error messages', () => {
  it('the canonical example: enum value with a fix', () => {
    expect(lines(item({ defaultwriteMode: 'UPSERT' }))).toEqual([
      'config Wrike_Tasks: destination.defaultwriteMode: expected one of APPEND | OVERWRITE | MERGE, got "UPSERT" (fix: set it to MERGE to upsert by primaryKey)',
    ]);
  });

  it('parse throws one FloeError(config-invalid) with configId and field in its context', () => {
    try {
      parseL1Item(item({ defaultwriteMode: 'UPSERT' }));
      expect.unreachable();
    } catch (e) {
      expect(isFloeError(e, 'config-invalid')).toBe(true);
      if (!isFloeError(e)) return;
      expect(e.context).toMatchObject({ configId: 'Wrike_Tasks', field: 'destination.defaultwriteMode' });
      expect(e.message).toContain('fix: set it to MERGE');
    }
  });

  it('misspelled enum values get "did you mean"', () => {
    expect(lines(item({ loadType: 'INCREMENTL', lastUpdatedColumn: 'x' }))).toEqual([
      'config Wrike_Tasks: destination.loadType: expected one of FULL | INCREMENTAL, got "INCREMENTL" (fix: did you mean INCREMENTAL?)',
    ]);
    const auth = item();
    auth.source.auth.type = 'OAUT2';
    expect(lines(auth)[0]).toMatch(
      /source\.auth\.type: expected one of PERM \| .* got "OAUT2" \(fix: did you mean OAUTH2\?\)/,
    );
  });

  it('a misspelled key is an error with "did you mean"; other unknown keys are warnings', () => {
    const r = validateL1Item(item({ defaultWriteMode: 'MERGE' }, { remarks: 'x' }));
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => [p.severity, formatProblem(p)])).toEqual([
      [
        'error',
        'config Wrike_Tasks: destination.defaultWriteMode: unknown key (did you mean defaultwriteMode?) (fix: rename it to defaultwriteMode)',
      ],
      ['warning', 'config Wrike_Tasks: remarks: unknown key, ignored'],
    ]);
    const onlyWarning = validateL1Item(item({}, { remarks: 'x' }));
    expect(onlyWarning.ok).toBe(true);
    expect(onlyWarning.problems).toHaveLength(1);
  });

  it('a missing required field whose key is misspelled says which key to rename', () => {
    const raw = item();
    const source = raw.source as Record<string, unknown>;
    source.reqeust = source.request;
    delete source.request;
    expect(lines(raw)).toEqual([
      'config Wrike_Tasks: source.request: is required (fix: rename "reqeust" to request)',
    ]);
  });

  it('missing fields say what to add', () => {
    const r = lines({ configId: 'X', source: item().source, destination: item().destination });
    expect(r).toEqual([
      expect.stringMatching(/^config X: platform: is required \(fix: add platform: SaaS platform/),
    ]);
  });

  it('type errors say what to write instead', () => {
    const raw = item(
      { primaryKey: 42 },
      { notifications: { onFailure: 'true' }, retryPolicy: { maxAttempts: '5' } },
    );
    expect(lines(raw)).toEqual([
      'config Wrike_Tasks: destination.primaryKey: expected a list, got 42',
      'config Wrike_Tasks: notifications.onFailure: expected true or false, got "true" (fix: write true without quotes)',
      'config Wrike_Tasks: retryPolicy.maxAttempts: expected a number, got "5" (fix: write 5 without quotes)',
    ]);
  });

  it('reports several problems at once, each with config id, path and fix', () => {
    const raw = item({
      defaultwriteMode: 'MERGE',
      primaryKey: [],
      loadType: 'INCREMENTAL',
      lastSyncTime: 'yesterday',
      partitionBy: [{ source: 'createdDate', transform: 'bucket' }],
    });
    const r = validateL1Item(raw);
    expect(r.problems.map((p) => p.field)).toEqual([
      'destination.lastSyncTime',
      'destination.partitionBy[0].transform',
      'destination.primaryKey',
      'destination.lastUpdatedColumn',
    ]);
    for (const p of r.problems) {
      expect(p.configId).toBe('Wrike_Tasks');
      expect(p.fix).toBeTruthy();
    }
    try {
      parseL1Item(raw);
      expect.unreachable();
    } catch (e) {
      if (!isFloeError(e)) throw e;
      expect(e.message.split('\n')[0]).toBe('4 config problems:');
      expect(e.message).toContain('destination.lastUpdatedColumn: INCREMENTAL needs a lastUpdatedColumn');
    }
  });

  it('an item without configId is named by its origin', () => {
    const r = validateL1Item({ platform: 'wrike' }, { file: 'configs/l1/x.yaml', index: 1 });
    expect(r.configId).toBe('configs/l1/x.yaml#2 (no configId)');
    expect(r.problems.every((p) => p.file === 'configs/l1/x.yaml')).toBe(true);
  });

  it('typed JSON mixed into a plain item is explained', () => {
    const raw = { ...item(), configId: { S: 'Wrike_Tasks' }, platform: 'wrike' };
    expect(lines(raw)[0]).toContain('DynamoDB typed JSON');
  });

  it('L2 errors follow the same format', () => {
    expect(() =>
      parseL2Item({
        configId: 'wrike_projects_l2',
        parserName: 'project_parser',
        source: { projects: { glueDatabase: 'w', glueTable: 's', fetchMode: 'DELTA' } },
        destination: { glueDatabase: 'w', glueTable: 'p', defaultwriteMode: 'MERGE' },
      }),
    ).toThrow(
      /source\.projects\.fetchMode: expected one of FULL \| INCREMENTAL, got "DELTA" \(fix: set it to INCREMENTAL.*\n.*destination\.primaryKey: MERGE needs a primaryKey/,
    );
  });
});

describe('LOAD_TYPE override', () => {
  it('applies the job load type; INCREMENTAL without a cursor column is a config error', () => {
    const full = parseL1Item(item());
    expect(withLoadType(full, undefined)).toBe(full);
    expect(withLoadType(full, 'FULL')).toBe(full);
    expect(() => withLoadType(full, 'INCREMENTAL')).toThrow(
      'config Wrike_Tasks: destination.lastUpdatedColumn: LOAD_TYPE INCREMENTAL needs a lastUpdatedColumn (fix: set destination.lastUpdatedColumn in this config, or run it with LOAD_TYPE FULL)',
    );
    const withCursor = parseL1Item(item({ lastUpdatedColumn: 'updatedDate' }));
    expect(withLoadType(withCursor, 'INCREMENTAL').destination.loadType).toBe('INCREMENTAL');
    expect(withCursor.destination.loadType).toBe('FULL');
  });
});

describe('table layout (icebergOptimizations)', () => {
  const opt = (icebergOptimizations: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    item({ icebergOptimizations, ...extra });

  it('partitionSpec in Iceberg expression syntax becomes partitionBy; sortOrder and targetFileSizeBytes parse', () => {
    const c = parseL1Item(
      opt({
        partitionSpec: [
          'day(updatedDate)',
          'bucket(16, id)',
          'truncate(4,title)',
          'status',
          'months(createdDate)',
          { source: 'x', transform: 'year' },
        ],
        sortOrder: ['id', 'updatedDate DESC', 'title asc nulls last', 'day(createdDate) desc nulls first'],
        targetFileSizeBytes: 1048576,
      }),
    );
    expect(c.destination.partitionBy).toEqual([
      { source: 'updatedDate', transform: 'day' },
      { source: 'id', transform: 'bucket[16]' },
      { source: 'title', transform: 'truncate[4]' },
      { source: 'status', transform: 'identity' },
      { source: 'createdDate', transform: 'month' },
      { source: 'x', transform: 'year' },
    ]);
    expect(c.destination.icebergOptimizations.sortOrder).toEqual([
      { source: 'id' },
      { source: 'updatedDate', direction: 'desc' },
      { source: 'title', direction: 'asc', nullOrder: 'nulls-last' },
      { source: 'createdDate', transform: 'day', direction: 'desc', nullOrder: 'nulls-first' },
    ]);
    expect(c.destination.icebergOptimizations.targetFileSizeBytes).toBe(1048576);
    // The seed form still works alone.
    expect(
      parseL1Item(item({ partitionBy: [{ source: 'createdDate', transform: 'month' }] })).destination
        .partitionBy,
    ).toEqual([{ source: 'createdDate', transform: 'month' }]);
  });

  it('bad transforms, bad sort fields and sizes are errors naming the field and the fix', () => {
    expect(lines(opt({ partitionSpec: ['week(updatedDate)'] }))).toEqual([
      expect.stringMatching(
        /^config Wrike_Tasks: destination\.icebergOptimizations\.partitionSpec\[0\]: "week\(updatedDate\)" is not a partition field: unknown partition transform "week".*\(fix: write a column, or a transform of one: identity\(col\).*bucket\(N, col\)/,
      ),
    ]);
    expect(lines(opt({ partitionSpec: ['bucket(id)'] }))[0]).toMatch(
      /partitionSpec\[0\]: "bucket\(id\)" is not a partition field: bucket needs a width: write bucket\(N, id\)/,
    );
    expect(lines(opt({ sortOrder: ['id sideways'] }))[0]).toMatch(
      /^config Wrike_Tasks: destination\.icebergOptimizations\.sortOrder\[0\]: "id sideways" is not a sort field: "id sideways" is not a column name \(fix: write a column, optionally a transform of it, then asc\|desc/,
    );
    expect(lines(opt({ targetFileSizeBytes: -5 }))[0]).toMatch(
      /^config Wrike_Tasks: destination\.icebergOptimizations\.targetFileSizeBytes: /,
    );
    expect(lines(opt({ targetFileSizeBytes: '128MB' }))[0]).toMatch(/targetFileSizeBytes: expected a number/);
  });

  it('partitionBy and partitionSpec together: one error naming both and the fix (L1 and L2)', () => {
    const both = opt(
      { partitionSpec: ['day(updatedDate)'] },
      { partitionBy: [{ source: 'createdDate', transform: 'month' }] },
    );
    expect(lines(both)).toEqual([
      'config Wrike_Tasks: destination.icebergOptimizations.partitionSpec: destination.partitionBy and destination.icebergOptimizations.partitionSpec are both set (fix: keep one of them: icebergOptimizations.partitionSpec (e.g. ["day(updated_date)"]) or destination.partitionBy)',
    ]);
    const l2 = (destination: Record<string, unknown>) => ({
      configId: 'wrike_projects_l2',
      parserName: 'project_parser',
      source: { projects: { glueDatabase: 'w', glueTable: 's' } },
      destination: { glueDatabase: 'w', glueTable: 'p', ...destination },
    });
    expect(() =>
      parseL2Item(l2({ partitionBy: [{ source: 'a' }], icebergOptimizations: { partitionSpec: ['b'] } })),
    ).toThrow(
      /destination\.icebergOptimizations\.partitionSpec: destination\.partitionBy and destination\.icebergOptimizations\.partitionSpec are both set/,
    );
    const ok = parseL2Item(
      l2({ icebergOptimizations: { partitionSpec: ['month(created)'], sortOrder: ['id desc'] } }),
    );
    expect(ok.destination.partitionBy).toEqual([{ source: 'created', transform: 'month' }]);
    expect(ok.destination.icebergOptimizations.sortOrder).toEqual([{ source: 'id', direction: 'desc' }]);
  });
});
