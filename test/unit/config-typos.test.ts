/**
 * Unknown keys that look like typos of a known key are errors with "did you mean", at every level
 * (top level, destination, auth, pagination, …); other unknown keys stay warnings, so the seed's
 * items (which carry extra fields) stay valid unchanged.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, validateL1Item, validateL2Item } from '../../src/config/index.js';

// biome-ignore lint/suspicious/noExplicitAny: tests edit plain config objects ad hoc
type Json = any;

const base = (): Json => ({
  configId: 'Helpdesk_Tickets',
  platform: 'helpdesk',
  source: {
    auth: { type: 'API_KEY', tokenKey: 'helpdesk-key', in: 'header', name: 'X-Api-Key' },
    request: { url: 'http://127.0.0.1:9/tickets' },
    pagination: { type: 'offset', pageSize: 50 },
  },
  destination: {
    glueDatabase: 'helpdesk',
    glueTable: 'tickets',
    defaultwriteMode: 'MERGE',
    primaryKey: ['id'],
  },
});

const errors = (raw: unknown) =>
  validateL1Item(raw)
    .problems.filter((p) => p.severity === 'error')
    .map(formatProblem);

describe('typos of known keys are errors', () => {
  it('the base item is valid', () => {
    expect(validateL1Item(base()).problems).toEqual([]);
  });

  it('destination.primaryKeys names the mistyped key first, not only "MERGE needs a primaryKey"', () => {
    const raw = base();
    raw.destination.primaryKeys = raw.destination.primaryKey;
    delete raw.destination.primaryKey;
    const found = errors(raw);
    expect(found[0]).toBe(
      'config Helpdesk_Tickets: destination.primaryKeys: unknown key (did you mean primaryKey?) (fix: rename it to primaryKey)',
    );
    expect(found[1]).toContain('MERGE needs a primaryKey');
  });

  it('auth.header (API_KEY names its header with `name`) is an error naming the fix', () => {
    const raw = base();
    delete raw.source.auth.name;
    raw.source.auth.header = 'x-api-key';
    const found = errors(raw);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^config Helpdesk_Tickets: source\.auth\.header: unknown key \(did you mean name\?\)/,
    );
    expect(found[0]).toContain('in: header');
  });

  it.each([
    ['top level', (r: Json) => (r.notifcations = {}), 'notifcations', 'notifications'],
    [
      'destination',
      (r: Json) => {
        r.destination.writeMode = r.destination.defaultwriteMode;
        delete r.destination.defaultwriteMode;
      },
      'destination.writeMode',
      'defaultwriteMode',
    ],
    [
      'destination',
      (r: Json) => (r.destination.lastUpdateColumn = 'updated_at'),
      'destination.lastUpdateColumn',
      'lastUpdatedColumn',
    ],
    ['auth', (r: Json) => (r.source.auth.prefx = 'Token '), 'source.auth.prefx', 'prefix'],
    [
      'auth',
      (r: Json) => {
        r.source.auth.secret = r.source.auth.tokenKey;
        delete r.source.auth.tokenKey;
      },
      'source.auth.secret',
      'tokenKey',
    ],
    [
      'pagination',
      (r: Json) => (r.source.pagination.startOfset = 10),
      'source.pagination.startOfset',
      'startOffset',
    ],
    [
      'pagination',
      (r: Json) => (r.source.pagination.limit = { name: 'per_page' }),
      'source.pagination.limit',
      'limitOption',
    ],
    [
      'response',
      (r: Json) => (r.source.response = { recordsPath: '$.data' }),
      'source.response.recordsPath',
      'dataPath',
    ],
    ['request', (r: Json) => (r.source.request.query = { a: '1' }), 'source.request.query', 'params'],
    [
      'retryPolicy',
      (r: Json) => (r.retryPolicy = { maxAttemps: 3 }),
      'retryPolicy.maxAttemps',
      'maxAttempts',
    ],
  ])('%s: %s', (_where, edit, field, meant) => {
    const raw = base();
    edit(raw);
    const found = errors(raw);
    expect(found[0]).toContain(`${field}: unknown key (did you mean ${meant}?)`);
  });

  it('an L2 item: a typo inside a source table is an error too', () => {
    const l2 = {
      configId: 'p',
      parserName: 'project_parser',
      source: { projects: { glueDatabase: 'w', glueTabel: 'staging_projects' } },
      destination: { glueDatabase: 'w', glueTable: 'projects' },
    };
    const found = validateL2Item(l2)
      .problems.filter((p) => p.severity === 'error')
      .map(formatProblem);
    expect(found.join('\n')).toContain('glueTabel');
    expect(found.join('\n')).toContain('glueTable');
  });
});

describe('other unknown keys keep today’s behaviour', () => {
  it('a key close to nothing is a warning and the item stays valid', () => {
    const raw = base();
    raw.source.auth.comment = 'rotated monthly';
    raw.destination.owner = 'data team';
    raw.ticketSystemNotes = 'x';
    const r = validateL1Item(raw);
    expect(r.ok).toBe(true);
    expect(r.problems.map((p) => [p.severity, p.field])).toEqual([
      ['warning', 'source.auth.comment'],
      ['warning', 'destination.owner'],
      ['warning', 'ticketSystemNotes'],
    ]);
  });

  it.each(['wrike-contacts.l1.json', 'wrike-contacts.l1.dynamodb.json'])(
    'the seed item %s stays valid with no error',
    (file) => {
      const raw = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/seed', file), 'utf8'));
      const r = validateL1Item(raw);
      expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
      expect(r.ok).toBe(true);
    },
  );

  it.each(['wrike-projects.l2.json', 'wrike-projects.l2.dynamodb.json'])(
    'the seed item %s stays valid with no error',
    (file) => {
      const raw = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/seed', file), 'utf8'));
      const r = validateL2Item(raw);
      expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
      expect(r.ok).toBe(true);
    },
  );
});
