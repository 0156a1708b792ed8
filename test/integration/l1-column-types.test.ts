/**
 * Column types end to end through `floe run`'s job: declared types (`destination.columns`) with
 * each onError mode, an epoch format and `keep`, and ISO-8601 date-time detection, against an API
 * served on loopback whose records the test sets. Values are checked as floe reads them back,
 * the declared values that do not convert as the run reports them (count and examples), and a
 * rejected run as leaving the table as it was.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobParams } from '../../src/config/job-params.js';
import { loadTable } from '../../src/iceberg/index.js';
import { runJob } from '../../src/job/run-job.js';
import { type TempProject, tempProject, withProjectCatalog } from '../support/l1-project.js';

let server: Server;
let baseUrl: string;
let records: Record<string, unknown>[] = [];
let project: TempProject;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ items: records }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  project = tempProject(undefined, 'unused');
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  project?.cleanup();
});

function item(configId: string, destination: Record<string, unknown>): Record<string, unknown> {
  return {
    configId,
    platform: 'typed',
    source: {
      auth: { type: 'NONE' },
      request: { url: `${baseUrl}/items` },
      response: { dataPath: '$.items' },
    },
    destination: {
      glueDatabase: 'typed',
      glueTable: configId.toLowerCase(),
      defaultwriteMode: 'OVERWRITE',
      ...destination,
    },
    retryPolicy: { maxAttempts: 1 },
  };
}

/** Runs one config; returns its result and the warning/error log lines. */
async function run(configId: string) {
  const logs: string[] = [];
  const out = await runJob(
    parseJobParams(['--project', project.dir, '--config-id', configId, '--process-type', 'L1'], {}),
    {
      logStream: {
        write: (s: string) => {
          logs.push(String(s));
          return true;
        },
      },
    },
  );
  return { result: out.results[0]!, logs: logs.join('') };
}

async function table(name: string) {
  return withProjectCatalog(project.dir, async (catalog) => {
    const t = await loadTable(catalog, `typed.${name}`);
    const types = Object.fromEntries(t.schema().fields.map((f) => [f.name, String(f.type)]));
    const rows = (await t.scan().toRows()) as Record<string, unknown>[];
    rows.sort((a, b) => Number(a.id) - Number(b.id));
    return { types, rows, snapshots: t.history().length, properties: t.metadata.properties };
  });
}

const iso = (v: unknown) =>
  v === null || v === undefined ? null : new Date(v as string | Date).toISOString();

describe('declared column types and date-time detection', () => {
  it('converts declared columns in DuckDB, detects ISO date-times, keeps an all-null column, and reports the nulls it wrote', async () => {
    records = [
      {
        id: 1,
        created: '2024-01-05T10:00:00Z',
        sla: 90,
        closedMs: 1704448800123,
        amount: '12.34',
        flag: 'true',
        note: '2024-01-05T10:00:00Z',
        comment: null,
      },
      {
        id: 2,
        created: '2024-01-05 12:30:00+02:00',
        sla: '45',
        closedMs: '1704448800000',
        amount: 7,
        flag: false,
        note: 'N/A',
        comment: null,
      },
      { id: 3, created: '', sla: '9.5', closedMs: null, amount: null, flag: null, note: null, comment: null },
    ];
    project.writeConfig(
      item('Typed_A', {
        columns: {
          sla: { type: 'int', onError: 'null' },
          closedMs: { type: 'timestamptz', format: 'epoch_millis' },
          amount: { type: 'decimal(10, 2)' },
          flag: { type: 'boolean' },
          comment: { type: 'string', keep: true },
        },
      }),
    );
    const { result, logs } = await run('Typed_A');
    expect(result.status, result.error).toBe('SUCCESS');
    const t = await table('typed_a');
    expect(t.types).toMatchObject({
      id: 'long',
      created: 'timestamptz',
      sla: 'int',
      closed_ms: 'timestamptz',
      amount: 'decimal(10, 2)',
      flag: 'boolean',
      note: 'string',
      comment: 'string',
    });
    expect(t.properties['floe.detect-timestamps']).toBe('true');
    expect(t.rows.map((r) => iso(r.created))).toEqual([
      '2024-01-05T10:00:00.000Z',
      '2024-01-05T10:30:00.000Z',
      null,
    ]);
    expect(t.rows.map((r) => r.sla)).toEqual([90, 45, null]);
    expect(t.rows.map((r) => iso(r.closed_ms))).toEqual([
      '2024-01-05T10:00:00.123Z',
      '2024-01-05T10:00:00.000Z',
      null,
    ]);
    expect(t.rows.map((r) => (r.amount === null ? null : String(r.amount)))).toEqual(['12.34', '7.00', null]);
    expect(t.rows.map((r) => r.flag)).toEqual([true, false, null]);
    expect(t.rows.map((r) => r.note)).toEqual(['2024-01-05T10:00:00Z', 'N/A', null]);
    expect(t.rows.map((r) => r.comment)).toEqual([null, null, null]);
    // The one value written as null is counted and shown.
    expect(logs).toMatch(
      /column \\"sla\\" is declared int, and 1 of its values are not \(e\.g\. \\"9\.5\\"\): written as null/,
    );
  });

  it('onError reject fails the config before anything is written, naming the field, the count and examples', async () => {
    const before = await table('typed_a');
    records = [
      {
        id: 1,
        created: '2024-01-06T10:00:00Z',
        sla: 'ninety',
        closedMs: 1,
        amount: '12.345',
        flag: 'yes',
        note: 'x',
        comment: 'c',
      },
    ];
    const { result } = await run('Typed_A');
    expect(result.status).toBe('FAILED');
    expect(result.error).toMatch(
      /column "amount" is declared decimal\(10, 2\), and 1 of its values are not \(e\.g\. "12\.345"\)/,
    );
    expect(result.error).toMatch(/destination\.columns\.amount\.onError/);
    const after = await table('typed_a');
    expect(after.snapshots).toBe(before.snapshots);
    expect(after.rows).toEqual(before.rows);
  });

  it('onError string keeps a new column as text when a value does not convert', async () => {
    records = [
      { id: 1, code: '17' },
      { id: 2, code: 'A1' },
    ];
    project.writeConfig(item('Typed_S', { columns: { code: { type: 'int', onError: 'string' } } }));
    const { result, logs } = await run('Typed_S');
    expect(result.status, result.error).toBe('SUCCESS');
    const t = await table('typed_s');
    expect(t.types.code).toBe('string');
    expect(t.rows.map((r) => r.code)).toEqual(['17', 'A1']);
    expect(logs).toMatch(/the column is stored as text \(onError: string\)/);
  });

  it('a date-time column that later receives other text fails with the fix; declaring onError null then writes it as null', async () => {
    records = [{ id: 1, seen: '2024-01-05T10:00:00Z' }];
    project.writeConfig(item('Typed_D', { defaultwriteMode: 'APPEND' }));
    expect((await run('Typed_D')).result.status).toBe('SUCCESS');
    expect((await table('typed_d')).types.seen).toBe('timestamptz');

    records = [
      { id: 2, seen: 'never' },
      { id: 3, seen: '' },
    ];
    const failed = await run('Typed_D');
    expect(failed.result.status).toBe('FAILED');
    expect(failed.result.error).toContain('"never", which is not an ISO-8601 date-time');
    expect(failed.result.error).toContain('destination.columns.seen: {type: timestamptz, onError: null}');

    project.writeConfig(
      item('Typed_D', {
        defaultwriteMode: 'APPEND',
        columns: { seen: { type: 'timestamptz', onError: 'null' } },
      }),
    );
    const ok = await run('Typed_D');
    expect(ok.result.status, ok.result.error).toBe('SUCCESS');
    // A run of blanks only still writes into the date-time column.
    records = [{ id: 4, seen: ' ' }];
    project.writeConfig(item('Typed_D', { defaultwriteMode: 'APPEND' }));
    expect((await run('Typed_D')).result.status).toBe('SUCCESS');
    const t = await table('typed_d');
    expect(t.rows.map((r) => [Number(r.id), iso(r.seen)])).toEqual([
      [1, '2024-01-05T10:00:00.000Z'],
      [2, null],
      [3, null],
      [4, null],
    ]);
  });

  it('detectTimestamps: false keeps date-times as text, and the table remembers it for later columns', async () => {
    records = [{ id: 1, at: '2024-01-05T10:00:00Z' }];
    project.writeConfig(item('Typed_Off', { detectTimestamps: false, defaultwriteMode: 'APPEND' }));
    expect((await run('Typed_Off')).result.status).toBe('SUCCESS');
    records = [{ id: 2, at: '2024-01-06T10:00:00Z', later: '2024-01-06T10:00:00Z' }];
    project.writeConfig(item('Typed_Off', { defaultwriteMode: 'APPEND' }));
    expect((await run('Typed_Off')).result.status).toBe('SUCCESS');
    const t = await table('typed_off');
    expect(t.properties['floe.detect-timestamps']).toBe('false');
    expect(t.types).toMatchObject({ at: 'string', later: 'string' });
  });

  it('MERGE by a key the API sends as text or number, the latest version by a detected date-time, into a day-partitioned table', async () => {
    records = [
      { id: '1', updated: '2024-01-05T10:00:00Z', v: 'a' },
      { id: 2, updated: '2024-01-05T10:00:00Z', v: 'b' },
      { id: 1, updated: '2024-01-06T10:00:00+05:00', v: 'a2' },
      { id: ' 1', updated: '2024-01-05T23:00:00Z', v: 'a-older' },
    ];
    project.writeConfig(
      item('Typed_M', {
        defaultwriteMode: 'MERGE',
        primaryKey: ['id'],
        lastUpdatedColumn: 'updated',
        columns: { id: { type: 'long' } },
        icebergOptimizations: { partitionSpec: ['day(updated)'] },
      }),
    );
    const first = await run('Typed_M');
    expect(first.result.status, first.result.error).toBe('SUCCESS');
    let t = await table('typed_m');
    expect(t.types).toMatchObject({ id: 'long', updated: 'timestamptz' });
    expect(t.rows.map((r) => [Number(r.id), r.v])).toEqual([
      [1, 'a2'],
      [2, 'b'],
    ]);
    records = [{ id: '2', updated: '2024-01-07T00:00:00Z', v: 'b2' }];
    expect((await run('Typed_M')).result.status).toBe('SUCCESS');
    t = await table('typed_m');
    expect(t.rows.map((r) => [Number(r.id), r.v, iso(r.updated)])).toEqual([
      [1, 'a2', '2024-01-06T05:00:00.000Z'],
      [2, 'b2', '2024-01-07T00:00:00.000Z'],
    ]);
  });
});
