/** `floe table write` (append / overwrite / overwrite-partitions) and `floe table alter` nested renames and union by name, run as a user runs them. */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDuck } from '../../src/duck/session.js';
import { createTable, loadTable } from '../../src/iceberg/index.js';
import { type TempCatalog, tempCatalog } from '../support/temp-catalog.js';

const exec = promisify(execFile);
const bin = new URL('../../bin/floe.js', import.meta.url).pathname;
let tc: TempCatalog;

async function floe(...args: string[]) {
  return exec(process.execPath, [bin, ...args, '--catalog', tc.dbPath, '--warehouse', tc.warehouse], {
    timeout: 60_000,
  });
}
async function floeError(...args: string[]): Promise<string> {
  return floe(...args).then(
    () => 'no error',
    (e: { stderr: string }) => e.stderr,
  );
}
function ndjson(name: string, rows: object[]): string {
  const path = join(tc.dir, name);
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n'));
  return path;
}
async function live(name: string): Promise<string[]> {
  const t = await loadTable(tc.catalog, name);
  return (await t.scan().toRows()).map((r) => `${r.region}:${r.id}:${r.v}`).sort();
}

beforeAll(async () => {
  tc = tempCatalog();
  await tc.catalog.createNamespace(['ns']);
});
afterAll(async () => tc.cleanup());

describe('floe table write', () => {
  it('appends, overwrites partitions (Parquet input), overwrites by filter', async () => {
    await createTable(tc.catalog, 'ns.w', {
      schema: [
        { name: 'id', type: 'long', required: true },
        { name: 'region', type: 'string' },
        { name: 'v', type: 'int' },
      ],
      partitionBy: [{ source: 'region', transform: 'identity' }],
    });
    const a = ndjson('a.ndjson', [
      { id: 1, region: 'eu', v: 1 },
      { id: 2, region: 'us', v: 1 },
      { id: 3, region: 'apac', v: 1 },
    ]);
    expect((await floe('table', 'write', 'ns.w', '--file', a)).stdout).toContain('append: wrote 3 row(s)');
    const parquet = join(tc.dir, 'b.parquet');
    await withDuck((d) =>
      d.run(
        `COPY (SELECT 10::BIGINT AS id, 'eu' AS region, 2 AS v UNION ALL SELECT 11, 'eu', 2) TO '${parquet}' (FORMAT PARQUET)`,
      ),
    );
    const dpo = await floe('table', 'write', 'ns.w', '--file', parquet, '--mode', 'overwrite-partitions');
    expect(dpo.stdout).toContain('overwrite-partitions: wrote 2 row(s)');
    expect(dpo.stdout).toContain('(1 row(s) replaced)');
    expect(await live('ns.w')).toEqual(['apac:3:1', 'eu:10:2', 'eu:11:2', 'us:2:1']);
    const c = ndjson('c.ndjson', [{ id: 20, region: 'us', v: 3 }]);
    await floe('table', 'write', 'ns.w', '--file', c, '--mode', 'overwrite', '--where', "region = 'us'");
    expect(await live('ns.w')).toEqual(['apac:3:1', 'eu:10:2', 'eu:11:2', 'us:20:3']);
    await floe('table', 'write', 'ns.w', '--file', c, '--mode', 'overwrite');
    expect(await live('ns.w')).toEqual(['us:20:3']);
    // Clear refusals, nothing written.
    expect(await floeError('table', 'write', 'ns.w', '--file', c, '--mode', 'upsert')).toMatch(
      /--mode "upsert" is not one of: append, overwrite, overwrite-partitions/,
    );
    expect(await floeError('table', 'write', 'ns.w', '--file', c, '--where', 'id = 1')).toMatch(
      /--where goes with --mode overwrite/,
    );
    expect(await floeError('table', 'write', 'ns.w', '--file', join(tc.dir, 'x.csv'))).toMatch(
      /no such file/,
    );
    expect(await live('ns.w')).toEqual(['us:20:3']);
  });
});

describe('floe table alter: nested rename and union by name', () => {
  it('renames a nested field and unions a JSON schema and another table in', async () => {
    const t = await createTable(tc.catalog, 'ns.a', {
      schema: [
        { name: 'id', type: 'int', required: true },
        { name: 'info', type: { type: 'struct', fields: [{ name: 'zip', type: 'string' }] } },
      ],
    });
    await t.append([{ id: 1, info: { zip: 'z1' } }]);
    const renamed = await floe('table', 'alter', 'ns.a', '--rename', 'info.zip=postcode');
    expect(renamed.stdout).toContain('schema 1');
    const file = join(tc.dir, 'other.json');
    writeFileSync(
      file,
      JSON.stringify({
        type: 'struct',
        fields: [
          { id: 1, name: 'id', type: 'long', required: false },
          {
            id: 2,
            name: 'info',
            type: { type: 'struct', fields: [{ id: 3, name: 'country', type: 'string', required: false }] },
            required: false,
          },
        ],
      }),
    );
    await floe('table', 'alter', 'ns.a', '--union-by-name', file);
    await createTable(tc.catalog, 'ns.b', { schema: [{ name: 'note', type: 'string' }] });
    await floe('table', 'alter', 'ns.a', '--union-by-name', 'ns.b');
    const after = await loadTable(tc.catalog, 'ns.a');
    expect(await after.scan().toRows()).toEqual([
      { id: 1n, info: { postcode: 'z1', country: null }, note: null },
    ]);
    expect(after.schema().fields[0]).toMatchObject({ name: 'id', type: 'long', required: false });
    const bad = join(tc.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ name: 'note', type: 'int' }]));
    expect(await floeError('table', 'alter', 'ns.a', '--union-by-name', bad)).toMatch(
      /"note" is string in ns.a but int in the incoming schema/,
    );
  });
});
