/**
 * Every name from a config that reaches a path, a catalog or SQL is checked at validation: each
 * hostile name, in each identifier field, is rejected with the config id, the field and the rule.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, validateL1Item, validateL2Item } from '../../src/config/index.js';

type Item = Record<string, unknown>;

const l1 = (): Item => ({
  configId: 'Wrike_Tasks',
  platform: 'wrike',
  source: {
    auth: { type: 'PERM', tokenKey: 'wrike-token' },
    request: { url: 'https://www.wrike.com/api/v4/tasks' },
  },
  destination: {
    glueDatabase: 'wrike_staging',
    glueTable: 'staging_tasks',
    primaryKey: ['id'],
    lastUpdatedColumn: 'updatedDate',
    partitionBy: [{ source: 'createdDate', transform: 'month', name: 'created_month' }],
  },
});

const l2 = (): Item => ({
  configId: 'wrike_projects_l2',
  parserName: 'project_parser',
  primaryKey: ['project_id'],
  source: {
    contacts: {
      glueDatabase: 'wrike_test',
      glueTable: 'staging_contacts',
      fetchMode: 'INCREMENTAL',
      incrementalColumn: 'ingest_timestamp',
    },
  },
  destination: {
    glueDatabase: 'wrike_test',
    glueTable: 'projects',
    primaryKey: ['project_id'],
    partitionBy: [{ source: 'created_date', transform: 'day' }],
  },
});

/** Sets `path` (dots and [i]) in a fresh item. */
function withValue(make: () => Item, path: string, value: unknown): Item {
  const item = make();
  const keys = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let holder = item as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) holder = holder[k] as Record<string, unknown>;
  holder[keys[keys.length - 1]!] = value;
  return item;
}

const HOSTILE: [string, string][] = [
  ['dot dot', '..'],
  ['dot', '.'],
  ['slash', '/'],
  ['backslash', '\\'],
  ['a/b', 'a/b'],
  ['escape upwards', '../../../escaped'],
  ['percent-encoded dots', '%2e%2e'],
  ['NUL', 'a\u0000b'],
  ['newline', 'a\nb'],
  ['single quote', "a'b"],
  ['double quote', 'a"b'],
  ['semicolon', 'a;b'],
  ['SQL', 'x"; DROP TABLE y; --'],
  ['300 characters', 'a'.repeat(300)],
  ['fullwidth look-alike', 'ｓｔａｇｉｎｇ'],
  ['Cyrillic а', 'stаging'],
  ['empty', ''],
  ['leading space', ' staging'],
  ['trailing space', 'staging '],
];

/** Secret names follow AWS Secrets Manager: `a/b` is its path convention, and 512 is its limit. */
const HOSTILE_SECRET_NAMES: [string, string][] = [
  ...HOSTILE.filter(([what]) => what !== 'a/b' && what !== '300 characters'),
  ['513 characters', 'a'.repeat(513)],
  ['empty part', 'wrike//prod'],
];

const FIELDS: { layer: 'L1' | 'L2'; path: string; rule: RegExp; names?: [string, string][] }[] = [
  { layer: 'L1', path: 'destination.glueDatabase', rule: /a Glue\/Athena name/ },
  { layer: 'L1', path: 'destination.glueTable', rule: /a Glue\/Athena name/ },
  { layer: 'L1', path: 'destination.namespace', rule: /a Glue\/Athena name/ },
  { layer: 'L1', path: 'destination.tableName', rule: /a Glue\/Athena name/ },
  { layer: 'L1', path: 'destination.primaryKey[0]', rule: /a column name/ },
  { layer: 'L1', path: 'destination.lastUpdatedColumn', rule: /a column name/ },
  { layer: 'L1', path: 'destination.partitionBy[0].source', rule: /a column name/ },
  { layer: 'L1', path: 'destination.partitionBy[0].name', rule: /a column name/ },
  { layer: 'L1', path: 'source.auth.tokenKey', rule: /a secret name/, names: HOSTILE_SECRET_NAMES },
  { layer: 'L2', path: 'parserName', rule: /a registered parser name/ },
  { layer: 'L2', path: 'source.contacts.glueDatabase', rule: /a Glue\/Athena name/ },
  { layer: 'L2', path: 'source.contacts.glueTable', rule: /a Glue\/Athena name/ },
  { layer: 'L2', path: 'source.contacts.namespace', rule: /a Glue\/Athena name/ },
  { layer: 'L2', path: 'source.contacts.tableName', rule: /a Glue\/Athena name/ },
  { layer: 'L2', path: 'source.contacts.incrementalColumn', rule: /a column name/ },
  { layer: 'L2', path: 'destination.glueDatabase', rule: /a Glue\/Athena name/ },
  { layer: 'L2', path: 'destination.glueTable', rule: /a Glue\/Athena name/ },
  { layer: 'L2', path: 'destination.namespace', rule: /a Glue\/Athena name/ },
  { layer: 'L2', path: 'destination.tableName', rule: /a Glue\/Athena name/ },
  { layer: 'L2', path: 'destination.primaryKey[0]', rule: /a column name/ },
  { layer: 'L2', path: 'primaryKey[0]', rule: /a column name/ },
  { layer: 'L2', path: 'destination.partitionBy[0].source', rule: /a column name/ },
];

describe('the base items are valid', () => {
  it('L1 and L2', () => {
    expect(validateL1Item(l1()).problems).toEqual([]);
    expect(validateL2Item(l2()).problems).toEqual([]);
  });
});

describe('hostile names are rejected in every identifier field', () => {
  for (const field of FIELDS) {
    for (const [what, name] of field.names ?? HOSTILE) {
      it(`${field.layer} ${field.path}: ${what}`, () => {
        const r =
          field.layer === 'L1'
            ? validateL1Item(withValue(l1, field.path, name))
            : validateL2Item(withValue(l2, field.path, name));
        expect(r.ok).toBe(false);
        const errors = r.problems.filter((p) => p.severity === 'error');
        const mine = errors.filter((p) => p.field === field.path);
        expect(mine, JSON.stringify(errors.map(formatProblem))).toHaveLength(1);
        // An invalid name gets its error only, not also the upper-case warning.
        expect(r.problems.filter((p) => p.severity === 'warning')).toEqual([]);
        const line = formatProblem(mine[0]!);
        expect(line.startsWith(`config ${r.configId}: ${field.path}: expected `)).toBe(true);
        expect(line).toMatch(field.rule);
        expect(line).toMatch(/\(fix: .+\)$/);
      });
    }
  }

  it('the L2 name a parser reads a source table by (a SQL table name)', () => {
    for (const [, name] of HOSTILE) {
      if (name === '') continue; // an empty key is a different error (zod's own)
      const item = l2();
      const source = item.source as Record<string, unknown>;
      source[name] = source.contacts;
      delete source.contacts;
      const r = validateL2Item(item);
      expect(r.ok, JSON.stringify(name)).toBe(false);
      const line = r.problems.filter((p) => p.severity === 'error').map(formatProblem);
      expect(
        line.some((l) => l.includes('it is a SQL table name')),
        line.join('\n'),
      ).toBe(true);
    }
  });
});

describe('messages say what to write instead', () => {
  const line = (item: Item) => validateL1Item(item).problems.map(formatProblem).join('\n');

  it('a path escape gets a safe spelling', () => {
    expect(line(withValue(l1, 'destination.glueTable', '../../../escaped'))).toBe(
      'config Wrike_Tasks: destination.glueTable: expected a Glue/Athena name: 1 to 255 ASCII letters, digits and _, got "../../../escaped" (fix: it contains "."; write e.g. "escaped")',
    );
  });

  it('SQL in a namespace', () => {
    expect(line(withValue(l1, 'destination.glueDatabase', 'x"; DROP TABLE y; --'))).toContain(
      'got "x\\"; DROP TABLE y; --" (fix: it contains "\\""; write e.g. "x_drop_table_y")',
    );
  });

  it('look-alikes are named as such', () => {
    expect(line(withValue(l1, 'destination.glueTable', 'stаging'))).toContain(
      'it contains "а" (U+0430), which is not ASCII (a look-alike of a Latin letter?)',
    );
    expect(line(withValue(l1, 'destination.glueTable', 'ｓｔａｇｉｎｇ'))).toContain('write e.g. "staging"');
  });

  it('control characters are named by code point', () => {
    expect(line(withValue(l1, 'destination.primaryKey', ['a\u0000b']))).toContain(
      'it contains a control character (U+0000)',
    );
  });
});

describe('what stays valid', () => {
  it.each([
    ['destination.glueTable', 'staging_tasks'],
    ['destination.glueTable', 'Tasks2'],
    ['destination.primaryKey', ['customFieldID', 'custom-field', 'address.city']],
    ['destination.lastUpdatedColumn', 'updatedDate'],
    ['source.auth.tokenKey', 'essmdatalake-cc-wrike-apicredentials-sm-test'],
    ['source.auth.tokenKey', 'wrike/prod/token+1=@x.y'],
    [
      'destination.s3Location',
      's3://essmdatalake-customconnectors-test/wrike/test/iceberg-warehouse/contacts/',
    ],
  ])('%s = %j', (path, value) => {
    const r = validateL1Item(withValue(l1, path, value));
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('upper case in a Glue name is a warning: Glue and Athena store it lower case', () => {
    const r = validateL1Item(withValue(l1, 'destination.glueTable', 'Staging_Tasks'));
    expect(r.ok).toBe(true);
    expect(r.problems.map((p) => [p.severity, formatProblem(p)])).toEqual([
      [
        'warning',
        'config Wrike_Tasks: destination.glueTable: "Staging_Tasks" has upper-case letters: Glue and Athena store names in lower case ("staging_tasks"), while the local catalog keeps them as written, so this config names different tables locally and on AWS (fix: write it as "staging_tasks")',
      ],
    ]);
    const r2 = validateL2Item(withValue(l2, 'source.contacts.glueTable', 'Staging_Contacts'));
    expect(r2.ok).toBe(true);
    expect(r2.problems.map((p) => p.field)).toEqual(['source.contacts.glueTable']);
  });

  it('s3Location must not hold . or .. segments', () => {
    const r = validateL1Item(withValue(l1, 'destination.s3Location', 's3://bucket/warehouse/../../other'));
    expect(r.problems.map(formatProblem)).toEqual([
      'config Wrike_Tasks: destination.s3Location: expected a table location URI without . or .. segments, like s3://bucket/warehouse/db/table, got "s3://bucket/warehouse/../../other" (fix: it has a "." or ".." segment)',
    ]);
  });
});
