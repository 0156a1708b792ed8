import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { L1ConfigSchema } from '../../src/config/l1-schema.js';
import { withDuck } from '../../src/duck/session.js';
import {
  checkDeclaredValues,
  conversionSql,
  type DeclaredColumnType,
  planColumnTypes,
  typedFields,
} from '../../src/l1/column-types.js';
import { isIsoDateTime, RowLineEncoder } from '../../src/l1/row-line.js';

const ingest = { timestamp: '2024-01-01T00:00:00.000Z', runId: 'r1' };
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Converts each text with `conversionSql(type, format)` in DuckDB; results as DuckDB prints them. */
async function convert(type: string, values: (string | null)[], format?: DeclaredColumnType['format']) {
  const sql = conversionSql(type, format);
  return withDuck(async (duck) => {
    const rows = await duck.json(
      `SELECT (${sql('v')})::VARCHAR AS out FROM (SELECT unnest([${values.map((v) => (v === null ? 'NULL' : `'${v.replace(/'/g, "''")}'`)).join(', ')}]::VARCHAR[]) AS v, generate_subscripts([${values.map(() => '0').join(', ')}], 1) AS i) ORDER BY i`,
    );
    return rows.map((r) => (r.out === null ? null : String(r.out)));
  });
}

function config(destination: Record<string, unknown>) {
  return L1ConfigSchema.parse({
    configId: 'Helpdesk_Tickets',
    platform: 'helpdesk',
    source: { auth: { type: 'NONE' }, request: { url: 'http://127.0.0.1:1/api/tickets' } },
    destination: { glueDatabase: 'db', glueTable: 'tickets', ...destination },
  });
}

describe('ISO-8601 date-time detection', () => {
  it('accepts the forms DuckDB reads exactly and refuses the rest', () => {
    for (const v of [
      '2024-01-05T10:00:00Z',
      '2024-01-05 10:00:00',
      '2024-01-05T10:00:00.123456789Z',
      '2024-01-05T10:00:00+05:30',
      '2024-01-05T10:00:00-0530',
      '2024-01-05T10:00:00+05',
      '2024-02-29T00:00:00Z',
    ])
      expect(isIsoDateTime(v), v).toBe(true);
    for (const v of [
      '2024-01-05',
      '2024-01-05T10:00Z',
      '20240105T100000Z',
      '2023-02-29T00:00:00Z',
      '2024-04-31T00:00:00Z',
      '2024-01-05T24:00:00Z',
      '2024-01-05T10:00:60Z',
      'N/A',
      '2024-01-05T10:00:00Z trailing',
    ])
      expect(isIsoDateTime(v), v).toBe(false);
  });

  it('types a top-level column timestamptz only when every non-blank value is a date-time', () => {
    const enc = new RowLineEncoder('snake_case', ingest, { detectTimestamps: true });
    enc.encode({
      id: 1,
      createdAt: '2024-01-05T10:00:00Z',
      closedAt: '',
      note: '2024-01-05T10:00:00Z',
      n: { at: '2024-01-05T10:00:00Z' },
    });
    enc.encode({
      id: 2,
      createdAt: '2024-01-06T10:00:00+02:00',
      closedAt: null,
      note: 'N/A',
      n: { at: '2024-01-05T10:00:00Z' },
    });
    const types = Object.fromEntries(enc.fields().map((f) => [f.name, f.type]));
    expect(types.created_at).toBe('timestamptz');
    expect(types.note).toBe('string');
    // Blank only: no evidence, stays text (and absent from detected), but may join a date-time column.
    expect(types.closed_at).toBe('string');
    expect(enc.detectedTimestamps()).toEqual(['created_at']);
    expect([...enc.maybeDateTimes()].sort()).toEqual(['closed_at', 'created_at']);
    expect(enc.notDateTime('note')).toBe('N/A');
    // Nested fields are not detected.
    expect(JSON.stringify(types.n)).toContain('"string"');
  });

  it('is off unless asked, and a number breaks it', () => {
    const off = new RowLineEncoder('snake_case', ingest);
    off.encode({ at: '2024-01-05T10:00:00Z' });
    expect(off.fields()[0]!.type).toBe('string');
    const mixed = new RowLineEncoder('snake_case', ingest, { detectTimestamps: true });
    mixed.encode({ at: '2024-01-05T10:00:00Z' });
    mixed.encode({ at: 5 });
    expect(mixed.fields()[0]!.type).toBe('string');
    expect(mixed.notDateTime('at')).toBe('a integer value');
  });
});

describe('declared columns in the encoder', () => {
  it('does not note type conflicts of a declared column, nor leave out a kept all-null one', () => {
    const declared = new Map([
      ['sla_minutes', { keep: false }],
      ['comment', { keep: true }],
    ]);
    const enc = new RowLineEncoder('snake_case', ingest, { declared });
    const a = enc.encode({ sla_minutes: 90, comment: null, other: 1 });
    const b = enc.encode({ sla_minutes: '90', comment: null, other: 'x' });
    // Values stay as the API sent them: DuckDB converts them.
    expect(a).toContain('"sla_minutes":90');
    expect(b).toContain('"sla_minutes":"90"');
    const notes = enc.schemaNotes();
    expect(notes.map((n) => `${n.kind}:${n.column}`)).toEqual(['type-conflict:other']);
  });
});

describe('conversionSql', () => {
  it('int and long: integers and integral text only, never rounded', async () => {
    expect(
      await convert('int', ['90', ' 7 ', '-3', '90.0', '9.5', '1e3', 'true', '', null, '3000000000']),
    ).toEqual(['90', '7', '-3', '90', null, null, null, null, null, null]);
    expect(await convert('long', ['9007199254740993', '3000000000'])).toEqual([
      '9007199254740993',
      '3000000000',
    ]);
  });

  it('decimal: refuses more fraction digits than the scale instead of rounding', async () => {
    expect(await convert('decimal(5, 2)', ['12.34', '12.345', '1234.5', '.5', '-0.10'])).toEqual([
      '12.34',
      null,
      null,
      '0.50',
      '-0.10',
    ]);
  });

  it('boolean, double and date', async () => {
    expect(await convert('boolean', ['true', 'FALSE', '1', '0', 'yes'])).toEqual([
      'true',
      'false',
      'true',
      'false',
      null,
    ]);
    expect(await convert('double', ['1.5', '1e3', 'abc'])).toEqual(['1.5', '1000.0', null]);
    expect(await convert('date', ['2024-01-05', '2024-02-30', '2024-01-05T10:00:00Z'])).toEqual([
      '2024-01-05',
      null,
      null,
    ]);
  });

  it('timestamptz from ISO-8601 (offsets to UTC, no offset = UTC) and from epochs', async () => {
    expect(
      await convert('timestamptz', [
        '2024-01-05T10:00:00+02:00',
        '2024-01-05 10:00:00',
        '2024-01-05',
        'N/A',
        '2024-02-30T00:00:00Z',
      ]),
    ).toEqual(['2024-01-05 08:00:00+00', '2024-01-05 10:00:00+00', '2024-01-05 00:00:00+00', null, null]);
    expect(await convert('timestamptz', ['1704448800', '1704448800.5', 'x'], 'epoch_seconds')).toEqual([
      '2024-01-05 10:00:00+00',
      '2024-01-05 10:00:00.5+00',
      null,
    ]);
    expect(await convert('timestamptz', ['1704448800123'], 'epoch_millis')).toEqual([
      '2024-01-05 10:00:00.123+00',
    ]);
    // A timestamp (no zone) keeps the UTC wall time of a value with an offset.
    expect(await convert('timestamp', ['2024-01-05T10:00:00+02:00'])).toEqual(['2024-01-05 08:00:00']);
  });
});

describe('checkDeclaredValues', () => {
  it('counts the values that do not convert, with examples, in one pass over the rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'floe-ct-'));
    dirs.push(dir);
    const file = join(dir, 'rows.ndjson');
    await writeFile(
      file,
      [
        '{"sla":90,"at":"2024-01-05T10:00:00Z","s":{"a":1}}',
        '{"sla":"90","at":"","s":"x"}',
        '{"sla":"ninety","at":"yesterday"}',
        '{"sla":"9.5","at":null}',
        '{"sla":null}',
      ].join('\n'),
    );
    const plan = planColumnTypes(
      'T',
      config({
        columns: {
          sla: { type: 'int' },
          at: { type: 'timestamptz', onError: 'null' },
          s: { type: 'string' },
        },
      }).destination,
      undefined,
    );
    const checks = await checkDeclaredValues(file, plan.declared);
    expect(checks.get('sla')).toEqual({ bad: 2, examples: expect.arrayContaining(['ninety', '9.5']) });
    expect(checks.get('at')).toEqual({ bad: 1, examples: ['yesterday'] });
    expect(checks.has('s')).toBe(false);
  });
});

describe('planColumnTypes and typedFields', () => {
  it('resolves keys with the column naming, refuses ingest columns, and decides detection', () => {
    const plan = planColumnTypes(
      'T',
      config({ columns: { slaMinutes: { type: 'decimal(10,2)' } } }).destination,
      undefined,
    );
    expect([...plan.declared.keys()]).toEqual(['sla_minutes']);
    expect(plan.declared.get('sla_minutes')!.type).toBe('decimal(10, 2)');
    expect(plan.detectTimestamps).toBe(true);
    expect(planColumnTypes('T', config({}).destination, {}).detectTimestamps).toBe(false);
    expect(
      planColumnTypes('T', config({}).destination, { 'floe.detect-timestamps': 'true' }).detectTimestamps,
    ).toBe(true);
    expect(
      planColumnTypes('T', config({ detectTimestamps: false }).destination, undefined).detectTimestamps,
    ).toBe(false);
    expect(() =>
      planColumnTypes('T', config({ columns: { ingest_date: { type: 'date' } } }).destination, undefined),
    ).toThrow(/ingest column/);
  });

  it('declared types win, onError string falls back to text, keep adds the column', () => {
    const plan = planColumnTypes(
      'T',
      config({
        columns: {
          sla: { type: 'int', onError: 'string' },
          at: { type: 'timestamptz' },
          comment: { type: 'string', keep: true },
        },
      }).destination,
      undefined,
    );
    const fields = typedFields(
      [
        { name: 'sla', type: 'string', required: false },
        { name: 'at', type: 'long', required: false },
      ],
      plan.declared,
      new Map([['sla', { bad: 1, examples: ['x'] }]]),
      new Set(),
    );
    expect(fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'sla:string',
      'at:timestamptz',
      'comment:string',
    ]);
  });

  it('the config schema refuses unknown types, formats on the wrong type, and nested keys', () => {
    expect(() => config({ columns: { a: { type: 'datetime' } } })).toThrow(/type must be one of/);
    expect(() => config({ columns: { a: { type: 'int', format: 'epoch_millis' } } })).toThrow(
      /format epoch_millis/,
    );
    expect(() => config({ columns: { 'a.b': { type: 'int' } } })).toThrow(/top-level/);
  });
});
