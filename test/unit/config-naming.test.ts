import { describe, expect, it } from 'vitest';
import { resolveColumnName, resolveKeyColumns, toSnakeCase } from '../../src/config/index.js';

describe('toSnakeCase', () => {
  it.each([
    ['updatedDate', 'updated_date'],
    ['customFieldID', 'custom_field_id'],
    ['HTMLParser', 'html_parser'],
    ['id', 'id'],
    ['ID', 'id'],
    ['fetchedOn', 'fetched_on'],
    ['parentIds', 'parent_ids'],
    ['address2', 'address2'],
    ['address2Line', 'address2_line'],
    ['v2API', 'v2_api'],
    ['ipv4Address', 'ipv4_address'],
    ['already_snake', 'already_snake'],
    ['ingest_timestamp', 'ingest_timestamp'],
    ['_id', '_id'],
    ['SCREAMING_CASE', 'screaming_case'],
    ['Custom Field (Budget)', 'custom_field_budget'],
    ['kebab-case-name', 'kebab_case_name'],
    ['$ref', 'ref'],
    ['a.b', 'a_b'],
    ['???', 'unnamed'],
    ['', 'unnamed'],
    ['_', 'unnamed'],
    ['2fa', 'col_2fa'],
    ['2ndLine', 'col_2nd_line'],
    ['123', 'col_123'],
    ['ÉtatCivil', 'état_civil'],
  ])('%s → %s', (input, expected) => {
    expect(toSnakeCase(input)).toBe(expected);
  });

  it('is idempotent', () => {
    for (const s of ['customFieldID', 'HTMLParser', 'Custom Field (Budget)', '2fa', '', '???']) {
      expect(toSnakeCase(toSnakeCase(s))).toBe(toSnakeCase(s));
    }
  });
});

describe('resolveColumnName', () => {
  it('snake_case converts, source keeps', () => {
    expect(resolveColumnName('lastUpdatedDate', 'snake_case')).toBe('last_updated_date');
    expect(resolveColumnName('lastUpdatedDate', 'source')).toBe('lastUpdatedDate');
  });
});

describe('resolveKeyColumns', () => {
  it('resolves primaryKey, lastUpdatedColumn and partition sources with the naming mode', () => {
    const d = {
      primaryKey: ['customFieldID'],
      lastUpdatedColumn: 'updatedDate',
      partitionBy: [{ source: 'createdDate' }],
    };
    expect(resolveKeyColumns({ ...d, columnNaming: 'snake_case' })).toEqual({
      primaryKey: ['custom_field_id'],
      lastUpdatedColumn: 'updated_date',
      partitionSources: ['created_date'],
    });
    expect(resolveKeyColumns({ ...d, columnNaming: 'source' }).lastUpdatedColumn).toBe('updatedDate');
  });
});
