// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` are config placeholders
/**
 * Values and names an API may send that a naive pipeline silently changes: integers beyond 2^53
 * and beyond 64 bits, floats written as `1.0` / `-0.0` / `1e308`, field names that collide after
 * snake_case renaming (top level and nested), empty keys, names starting with a digit, a field
 * named like floe's own ingest column, a field that is usually a number but sometimes text, and
 * an always-null field. Everything goes through the whole L1 job into an Iceberg table and is
 * read back by floe and by PyIceberg, value by value as exact text.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobParams } from '../../src/config/job-params.js';
import { loadTable } from '../../src/iceberg/index.js';
import { runJob } from '../../src/job/run-job.js';
import { COLUMN_SOURCES_PROPERTY } from '../../src/l1/column-names.js';
import { dumpValues, interopAvailable } from '../support/interop.js';
import { withProjectCatalog } from '../support/l1-project.js';

// Raw JSON text: the number tokens must reach floe exactly as written here.
const RECORD_1 = `{"id":1,"big_number":9007199254740993,"neg_big":-9007199254740993,"safe":9007199254740991,
 "max_long":9223372036854775807,"min_long":-9223372036854775808,"huge":123456789012345678901234567890,
 "too_wide":1234567890123456789012345678901234567890,"f_max":1e308,"neg_zero":-0.0,"tiny":1.5e-7,
 "one_float":1.0,"exp_int":1E+2,"updatedDate":"2024-01-01T00:00:00Z","updated_date":"legacy",
 "a.b":"dot","A B":"space","nested":{"x-y":1,"X_Y":2},"":"empty key","2fa":true,
 "ingest_timestamp":"the API's own","mixed":5,"always_null":null}`;
const RECORD_2 = `{"id":2,"big_number":-9007199254740993,"neg_big":9007199254740993,"safe":-9007199254740991,
 "max_long":-9223372036854775807,"min_long":0,"huge":-99999999999999999999999999999999999999,
 "too_wide":-1234567890123456789012345678901234567890,"f_max":-1e308,"neg_zero":0.0,"tiny":-1.5e-7,
 "one_float":2.5,"exp_int":3,"updatedDate":"2024-01-02T00:00:00Z","updated_date":"legacy2",
 "a.b":"dot2","A B":"space2","nested":{"x-y":3,"X_Y":4},"":"empty2","2fa":false,
 "ingest_timestamp":"again","mixed":"90","always_null":null}`;
/** The same records with colliding keys in the opposite order: names must not move. */
const RECORD_1_REORDERED = RECORD_1.replace(
  '"updatedDate":"2024-01-01T00:00:00Z","updated_date":"legacy"',
  '"updated_date":"legacy","updatedDate":"2024-01-01T00:00:00Z"',
)
  .replace('"a.b":"dot","A B":"space"', '"A B":"space","a.b":"dot"')
  .replace('{"x-y":1,"X_Y":2}', '{"X_Y":2,"x-y":1}');

let body = `{"data":[${RECORD_1},${RECORD_2}]}`;
let server: Server;
let origin: string;
let dir: string;
const TOKEN = 'acme-values-token-000111';

beforeAll(async () => {
  interopAvailable();
  server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":"unauthorized"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'floe-values-'));
  mkdirSync(join(dir, 'configs', 'l1'), { recursive: true });
  mkdirSync(join(dir, '.floe'), { recursive: true });
  writeFileSync(join(dir, 'floe.yaml'), 'logs: { format: json, level: info }\n');
  writeFileSync(join(dir, '.floe', 'secrets.yaml'), `acme-token: ${TOKEN}\n`, { mode: 0o600 });
  writeFileSync(
    join(dir, 'configs', 'l1', 'values.json'),
    JSON.stringify({
      configId: 'Odd_Values',
      platform: 'acme',
      objectName: 'records',
      source: {
        apiType: 'REST',
        auth: { type: 'PERM', tokenKey: 'acme-token', tokenSource: 'SECRETS_MANAGER' },
        defaultFetchMode: 'FULL',
        request: {
          method: 'GET',
          url: `${origin}/records`,
          headers: { Authorization: 'Bearer ${accessToken}' },
        },
        response: { dataPath: '$.data' },
      },
      destination: {
        glueDatabase: 'acme',
        glueTable: 'odd_values',
        primaryKey: ['id'],
        loadType: 'FULL',
        defaultwriteMode: 'MERGE',
        lastSyncTime: '',
        icebergOptimizations: { schemaEvolution: true },
      },
    }),
  );
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

async function run(): Promise<{ ok: boolean; warnings: number; log: string }> {
  let log = '';
  const out = await runJob(
    parseJobParams(['--project', dir, '--platform', 'acme', '--process-type', 'L1'], {}),
    {
      logStream: {
        write: (s: string) => {
          log += s;
          return true;
        },
      },
    },
  );
  if (!out.ok) throw new Error(`run failed: ${JSON.stringify(out.results)}`);
  return { ok: out.ok, warnings: out.results[0]!.warnings ?? 0, log };
}

const catalog = () => ({
  name: 'floe',
  db: join(dir, '.floe', 'catalog.db'),
  warehouse: join(dir, 'warehouse'),
});

describe('L1 keeps every value and every field', () => {
  let first: { warnings: number; log: string };

  it('numbers keep their exact values and float-ness; PyIceberg reads them back exactly', async () => {
    first = await run();
    const dump = await dumpValues(catalog(), 'acme.odd_values');
    expect(dump.schema).toMatchObject({
      big_number: 'long',
      neg_big: 'long',
      safe: 'long',
      max_long: 'long',
      min_long: 'long',
      huge: 'decimal(38, 0)',
      too_wide: 'string',
      f_max: 'double',
      neg_zero: 'double',
      tiny: 'double',
      one_float: 'double',
      exp_int: 'double',
      mixed: 'string',
    });
    const byId = new Map(dump.rows.map((r) => [r.id, r]));
    expect(byId.get('1')).toMatchObject({
      big_number: '9007199254740993',
      neg_big: '-9007199254740993',
      safe: '9007199254740991',
      max_long: '9223372036854775807',
      min_long: '-9223372036854775808',
      huge: '123456789012345678901234567890',
      too_wide: '1234567890123456789012345678901234567890',
      f_max: '1e+308',
      neg_zero: '-0.0',
      tiny: '1.5e-07',
      one_float: '1.0',
      exp_int: '100.0',
      mixed: '5',
    });
    expect(byId.get('2')).toMatchObject({
      big_number: '-9007199254740993',
      huge: '-99999999999999999999999999999999999999',
      too_wide: '-1234567890123456789012345678901234567890',
      neg_zero: '0.0',
      one_float: '2.5',
      mixed: '90',
    });
    // floe's own reader agrees (longs as bigint, decimals as text).
    await withProjectCatalog(dir, async (c) => {
      const rows = await (await loadTable(c, 'acme.odd_values')).scan().toRows();
      const r1 = rows.find((r) => r.id === 1n)!;
      expect(r1.big_number).toBe(9007199254740993n);
      expect(r1.max_long).toBe(9223372036854775807n);
      expect(r1.huge).toBe('123456789012345678901234567890');
      expect(Object.is(r1.neg_zero, -0)).toBe(true);
    });
  }, 120_000);

  it('`floe table read` prints the exact values', async () => {
    const { spawnSync } = await import('node:child_process');
    const cli = new URL('../../src/cli/main.ts', import.meta.url).pathname;
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        cli,
        'table',
        'read',
        'acme.odd_values',
        '--project',
        dir,
        '--columns',
        'id,big_number,max_long,huge',
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('9007199254740993');
    expect(r.stdout).toContain('9223372036854775807');
    expect(r.stdout).toContain('123456789012345678901234567890');
    expect(r.stdout).not.toContain('9007199254740992');
  }, 60_000);

  it('colliding names get distinct, documented columns; every value is kept', async () => {
    const dump = await dumpValues(catalog(), 'acme.odd_values');
    const r1 = dump.rows.find((r) => r.id === '1')!;
    expect(r1).toMatchObject({
      updated_date: '2024-01-01 00:00:00+00:00', // updatedDate came first (an ISO date-time: timestamptz)
      updated_date_2: 'legacy',
      a_b: 'dot',
      a_b_2: 'space',
      unnamed: 'empty key',
      col_2fa: 'true',
      ingest_timestamp_2: "the API's own",
    });
    expect(r1.nested).toEqual({ x_y: '1', x_y_2: '2' });
    expect(dump.schema).not.toHaveProperty('always_null');
  }, 120_000);

  it('each schema decision is logged once per column and counted in the summary', () => {
    const lines = first.log
      .split('\n')
      .filter((l) => l.includes('schema: column'))
      .map((l) => JSON.parse(l) as { msg: string; column: string; reason: string; configId: string });
    const seen = lines.map((l) => `${l.reason}:${l.column}`).sort();
    expect(seen).toEqual(
      [
        'all-null:always_null',
        'name-collision:a_b_2',
        'name-collision:ingest_timestamp_2',
        'name-collision:nested.x_y_2',
        'name-collision:updated_date_2',
        'type-conflict:mixed',
        'wide-number:huge',
        'wide-number:too_wide',
      ].sort(),
    );
    expect(lines.every((l) => l.configId === 'Odd_Values')).toBe(true);
    expect(first.warnings).toBe(lines.length);
  });

  it('names stay where they were when the API sends the colliding keys in the other order', async () => {
    body = `{"data":[${RECORD_1_REORDERED}]}`;
    await run();
    const dump = await dumpValues(catalog(), 'acme.odd_values');
    const r1 = dump.rows.find((r) => r.id === '1')!;
    expect(r1).toMatchObject({
      updated_date: '2024-01-01 00:00:00+00:00',
      updated_date_2: 'legacy',
      a_b: 'dot',
      a_b_2: 'space',
    });
    expect(r1.nested).toEqual({ x_y: '1', x_y_2: '2' });
    await withProjectCatalog(dir, async (c) => {
      const t = await loadTable(c, 'acme.odd_values');
      const owners = JSON.parse(t.metadata.properties[COLUMN_SOURCES_PROPERTY]!) as Record<
        string,
        Record<string, string>
      >;
      expect(owners['']).toMatchObject({ updated_date: 'updatedDate', updated_date_2: 'updated_date' });
      expect(owners.nested).toMatchObject({ x_y: 'x-y', x_y_2: 'X_Y' });
    });
  }, 120_000);
});
