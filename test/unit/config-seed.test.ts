/** The seed README's two example items load unchanged, as plain JSON and as DynamoDB typed JSON. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  isTypedItem,
  parseL1Item,
  parseL2Item,
  validateL1Item,
  validateL2Item,
} from '../../src/config/index.js';

const seedDir = join(import.meta.dirname, '../fixtures/seed');
const load = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(seedDir, name), 'utf8'));

/** Every field of `input` is in `output` with the same value (output may add defaults). */
function expectContains(output: unknown, input: unknown, path = '$'): void {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    expect(typeof output, path).toBe('object');
    for (const [k, v] of Object.entries(input))
      expectContains((output as Record<string, unknown>)[k], v, `${path}.${k}`);
  } else {
    expect(output, path).toEqual(input);
  }
}

describe('seed L1 item (Wrike_Contacts)', () => {
  const plain = load('wrike-contacts.l1.json');
  const typed = load('wrike-contacts.l1.dynamodb.json');

  it('the fixtures are the seed item in both forms', () => {
    expect(isTypedItem(plain)).toBe(false);
    expect(isTypedItem(typed)).toBe(true);
    expect(unmarshall(typed as never)).toEqual(plain);
  });

  it.each([
    ['plain JSON', plain],
    ['DynamoDB typed JSON', typed],
  ])('loads from %s with no problems and every seed field unchanged', (_, item) => {
    const r = validateL1Item(item);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expectContains(r.config, plain);
  });

  it('both forms parse to the same config', () => {
    expect(parseL1Item(typed)).toEqual(parseL1Item(plain));
  });

  it('resolves the seed fields floe derives from', () => {
    const c = parseL1Item(plain);
    expect(c.destination.namespace).toBe('wrike_test');
    expect(c.destination.tableName).toBe('wrike_contacts');
    expect(c.destination.loadType).toBe('FULL');
    expect(c.destination.defaultwriteMode).toBe('APPEND');
    expect(c.destination.icebergOptimizations.schemaEvolution).toBe(true);
    expect(c.retryPolicy.backoff).toBe('EXPONENTIAL');
    expect(c.retryPolicy.maxAttempts).toBe(3);
    expect(c.source.auth.type).toBe('PERM');
    expect(c.source.response.dataPath).toBe('$.data');
    expect(c.history?.dynamoTable).toBe('essmdatalake-cc-wrike-ingestionhistory-table-test');
    expect(c.status).toEqual({ state: 'running', updatedAt: 'timestamp' });
  });
});

describe('seed L2 item (wrike_projects_l2)', () => {
  const typed = load('wrike-projects.l2.dynamodb.json');
  const plain = load('wrike-projects.l2.json');

  it('the fixtures are the seed item in both forms', () => {
    expect(isTypedItem(typed)).toBe(true);
    expect(isTypedItem(plain)).toBe(false);
    expect(unmarshall(typed as never)).toEqual(plain);
  });

  it.each([
    ['DynamoDB typed JSON', typed],
    ['plain JSON', plain],
  ])('loads from %s with no problems and every seed field unchanged', (_, item) => {
    const r = validateL2Item(item);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expectContains(r.config, plain);
  });

  it('keeps the four named source tables and resolves names', () => {
    const c = parseL2Item(typed);
    expect(Object.keys(c.source).sort()).toEqual(['contacts', 'customfields', 'folders', 'projects']);
    expect(c.source.projects?.tableName).toBe('staging_projectsdetails');
    expect(c.source.contacts?.incrementalColumn).toBe('ingest_timestamp');
    expect(c.source.contacts?.lastSuccessfulFetchTime).toBe('');
    expect(c.parserName).toBe('project_parser');
    expect(c.destination.dropExtraColumns).toBe(false);
    expect(c.destination.defaultwriteMode).toBe('OVERWRITE');
    expect(c.destination.primaryKey).toEqual(['project_id']);
    expect(c.destination.namespace).toBe('wrike_test');
    expect(c.destination.tableName).toBe('projects');
    expect(c.loadType).toBe('FULL');
    expect(c.status).toBe('COMPLETED');
    expect(c.lastSuccessfulRun).toBe('2025-11-13T06:14:10.743884');
  });
});
