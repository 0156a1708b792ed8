/** `floe table …` as a user runs it (the real bin, piped output = JSON lines). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable } from '../../src/iceberg/index.js';
import { type TempCatalog, tempCatalog } from '../support/temp-catalog.js';

const exec = promisify(execFile);
const bin = new URL('../../bin/floe.js', import.meta.url).pathname;
let tc: TempCatalog;
let firstSnapshot: bigint;

async function floe(...args: string[]) {
  return exec(process.execPath, [bin, ...args, '--catalog', tc.dbPath, '--warehouse', tc.warehouse], {
    timeout: 60_000,
  });
}

beforeAll(async () => {
  tc = tempCatalog();
  await tc.catalog.createNamespace(['ns']);
  const t = await createTable(tc.catalog, 'ns.people', {
    schema: [
      { name: 'id', type: 'long' },
      { name: 'name', type: 'string' },
    ],
  });
  firstSnapshot = (await t.append([{ id: 1, name: 'ada' }])).snapshot['snapshot-id'];
  await t.append([{ id: 2, name: 'grace' }]);
});
afterAll(async () => tc.cleanup());

describe('floe table', () => {
  it('list, snapshots, read with --limit and --snapshot', async () => {
    const list = (await floe('table', 'list')).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(list).toEqual([expect.objectContaining({ table: 'ns.people', records: '2', snapshots: 2 })]);
    const snaps = (await floe('table', 'snapshots', 'ns.people')).stdout.trim().split('\n');
    expect(snaps.length).toBe(2);
    const rows = (await floe('table', 'read', 'ns.people')).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => r.name).sort()).toEqual(['ada', 'grace']);
    expect((await floe('table', 'read', 'ns.people', '--limit', '1')).stdout.trim().split('\n').length).toBe(
      1,
    );
    const old = (await floe('table', 'read', 'ns.people', '--snapshot', String(firstSnapshot))).stdout
      .trim()
      .split('\n');
    expect(old.map((l) => JSON.parse(l).name)).toEqual(['ada']);
    const show = JSON.parse((await floe('table', 'show', 'ns.people')).stdout);
    expect(show.schema.fields.map((f: { name: string }) => f.name)).toEqual(['id', 'name']);
  });

  it('errors are one clear line and a non-zero exit', async () => {
    const e = await floe('table', 'read', 'ns.nope').then(
      () => undefined,
      (x: { code: number; stderr: string }) => x,
    );
    expect(e?.code).toBe(1);
    expect(e?.stderr).toMatch(/^floe: table ns\.nope does not exist/);
  });
});

describe('floe table delete and alter', () => {
  it('deletes rows by filter (dry run first), then evolves the schema; the table reads accordingly', async () => {
    const t = await createTable(tc.catalog, 'ns.rows', {
      schema: [
        { name: 'id', type: 'long' },
        { name: 'qty', type: 'int' },
        { name: 'name', type: 'string' },
      ],
    });
    await t.append(Array.from({ length: 10 }, (_, i) => ({ id: i, qty: i * 10, name: `n${i}` })));
    const dry = await floe('table', 'delete', 'ns.rows', '--where', 'qty >= 70', '--dry-run');
    expect(dry.stdout).toContain('would delete 3 row(s)');
    const del = await floe('table', 'delete', 'ns.rows', '--where', 'qty >= 70');
    expect(del.stdout).toMatch(/deleted 3 row\(s\) of ns\.rows .*1 position delete file/);
    const list = (await floe('table', 'list')).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(list.find((x) => x.table === 'ns.rows')).toMatchObject({ records: '7', delete_files: '1' });
    const alter = await floe(
      'table',
      'alter',
      'ns.rows',
      '--rename',
      'name=label',
      '--widen',
      'qty=long',
      '--add-column',
      'note:string',
    );
    expect(alter.stdout).toContain('label string');
    expect(alter.stdout).toContain('qty long');
    const rows = (await floe('table', 'read', 'ns.rows')).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => [r.id, r.label, r.note]).sort()).toEqual(
      Array.from({ length: 7 }, (_, i) => [i, `n${i}`, null]).sort(),
    );
    const bad = await floe('table', 'alter', 'ns.rows', '--widen', 'label=long').then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad?.code).not.toBe(0);
    expect(bad?.stderr).toMatch(/cannot change column "label" from string to long/);
  });
});

describe('floe table alter: layout', () => {
  it('--sort-by sets the sort order writes follow; --target-file-size the roll size; show reports both', async () => {
    const t = await createTable(tc.catalog, 'ns.layout', {
      schema: [
        { name: 'id', type: 'long' },
        { name: 'ts', type: 'timestamp' },
        { name: 'name', type: 'string' },
      ],
    });
    const out = await floe(
      'table',
      'alter',
      'ns.layout',
      '--sort-by',
      'day(ts) desc, bucket(4, id), name nulls last',
      '--target-file-size',
      '1MB',
    );
    expect(out.stdout).toContain('ns.layout: write.target-file-size-bytes = 1048576');
    expect(out.stdout).toContain(
      'ns.layout: sort order 1: day(ts) desc nulls-last, bucket[4](id) asc nulls-first, name asc nulls-last',
    );
    const show = JSON.parse((await floe('table', 'show', 'ns.layout')).stdout);
    expect(show.sortOrder).toEqual({
      'order-id': 1,
      fields: [
        { transform: 'day', 'source-id': 2, direction: 'desc', 'null-order': 'nulls-last' },
        { transform: 'bucket[4]', 'source-id': 1, direction: 'asc', 'null-order': 'nulls-first' },
        { transform: 'identity', 'source-id': 3, direction: 'asc', 'null-order': 'nulls-last' },
      ],
    });
    expect(show.properties['write.target-file-size-bytes']).toBe('1048576');
    expect((await floe('table', 'alter', 'ns.layout', '--sort-by', 'id')).stdout).toContain(
      'sort order 2: id asc nulls-first',
    );
    expect((await floe('table', 'alter', 'ns.layout', '--sort-by', 'id')).stdout).toContain(
      'nothing to change',
    );
    expect((await floe('table', 'alter', 'ns.layout', '--sort-by', 'none')).stdout).toContain(
      'sort order 0: unsorted',
    );
    const bad = await floe('table', 'alter', 'ns.layout', '--sort-by', 'nope').then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad?.code).not.toBe(0);
    expect(bad?.stderr).toMatch(/sort column "nope" is not in the schema/);
    void t;
  });
});
