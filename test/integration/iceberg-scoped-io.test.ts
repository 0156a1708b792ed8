/**
 * Nothing is written outside the warehouse, even when config validation is bypassed: the Iceberg
 * API refuses default table locations that leave it, and ScopedFileIO refuses any write, staged
 * write or delete whose URI resolves outside its root.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FloeError } from '../../src/errors.js';
import {
  createTable,
  LocalFileIO,
  loadOrCreateTable,
  loadTable,
  SqlCatalog,
} from '../../src/iceberg/index.js';
import { isInside, resolveLocation } from '../../src/iceberg/io/location.js';
import { ScopedFileIO } from '../../src/iceberg/io/scoped.js';

let dir: string;
let warehouse: string;
const catalogs: SqlCatalog[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'floe-scoped-'));
  warehouse = join(dir, 'warehouse');
  mkdirSync(warehouse);
});
afterEach(async () => {
  for (const c of catalogs.splice(0)) await c.close();
  rmSync(dir, { recursive: true, force: true });
});

function catalog(opts: { scoped?: boolean; warehouse?: string; db?: string } = {}): SqlCatalog {
  const wh = opts.warehouse ?? warehouse;
  const c = new SqlCatalog({
    name: 'floe',
    path: opts.db ?? join(dir, 'catalog.db'),
    warehouse: wh,
    ...(opts.scoped ? { io: new ScopedFileIO(new LocalFileIO(), wh) } : {}),
  });
  catalogs.push(c);
  return c;
}

async function caught(p: Promise<unknown>): Promise<FloeError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof FloeError) return e;
    throw e;
  }
  throw new Error('expected a FloeError');
}

const SCHEMA = [
  { name: 'id', type: 'long' },
  { name: 'name', type: 'string' },
] as const;

/** Every file under `root`, relative. */
function files(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
      else out.push(`${rel}${e.name}`);
    }
  };
  walk(root, '');
  return out.sort();
}

/** What exists in the test folder outside the warehouse (the catalog database and nothing else). */
const outsideWarehouse = () =>
  files(dir).filter((f) => !f.startsWith('warehouse/') && !f.startsWith('catalog.db'));

describe('locations', () => {
  it.each([
    ['file:///w/h/ns/t', 'file:///w/h', true],
    ['/w/h/ns/t', 'file:///w/h', true],
    ['file:/w/h/ns/t', '/w/h', true],
    ['file:///w/h/ns/../../x', 'file:///w/h', false],
    ['file:///w/h/ns/../t', 'file:///w/h', true],
    ['file:///w/h/./ns//t', 'file:///w/h/', true],
    ['file:///w/h/%2e%2e/t', 'file:///w/h', true],
    ['file:///w/h', 'file:///w/h', false],
    ['file:///w/h2/t', 'file:///w/h', false],
    ['file:///w/h/../../../../x', 'file:///w/h', false],
    ['s3://bucket/wh/ns/t', 's3://bucket/wh', true],
    ['s3a://bucket/wh/ns/t', 's3://bucket/wh', true],
    ['s3://other/wh/ns/t', 's3://bucket/wh', false],
    ['s3://bucket/wh/../x', 's3://bucket/wh', false],
    ['s3://bucket/wh/t', 'file:///bucket/wh', false],
  ])('%s inside %s: %s', (location, root, inside) => {
    expect(isInside(location, root)).toBe(inside);
  });

  it('resolves dot segments but keeps percent-escapes literal', () => {
    expect(resolveLocation('file:///w/h/a/%2e%2e/../b/').path).toBe('/w/h/a/b');
  });
});

describe('ScopedFileIO', () => {
  it('refuses writes, staged writes and deletes outside its root; reads pass', async () => {
    const io = new ScopedFileIO(new LocalFileIO(), `file://${warehouse}`);
    const outside = join(dir, 'outside.txt');
    writeFileSync(outside, 'keep me');
    for (const uri of [
      `file://${warehouse}/ns/../../escaped.txt`,
      `${warehouse}/../escaped.txt`,
      `file://${dir}/escaped.txt`,
      `file://${warehouse}2/escaped.txt`,
      `file://${warehouse}`,
    ]) {
      const w = await caught(io.write(uri, 'x'));
      expect(w.kind).toBe('io');
      expect(w.message).toMatch(/refusing to write .* which is not inside the warehouse/);
      expect((await caught(io.stageWrite(uri))).message).toMatch(/refusing to write/);
    }
    expect((await caught(io.delete(`file://${warehouse}/../outside.txt`))).message).toMatch(
      /refusing to delete/,
    );
    expect(await io.read(`file://${outside}`)).toEqual(Buffer.from('keep me'));
    expect(outsideWarehouse()).toEqual(['outside.txt']);

    await io.write(`file://${warehouse}/ns/t/metadata/x.json`, '{}');
    await io.write(`file://${warehouse}/ns/%2e%2e/x.json`, '{}');
    expect(files(warehouse)).toEqual(['ns/%2e%2e/x.json', 'ns/t/metadata/x.json']);
  });
});

describe('the Iceberg API keeps tables inside the warehouse', () => {
  const escaped = `escaped-${randomBytes(4).toString('hex')}`;
  const hostile: [string, string[], string][] = [
    ['table ..', ['ns'], '..'],
    ['table .', ['ns'], '.'],
    ['table ../../x', ['ns'], `../../${escaped}`],
    ['table ../../../x', ['ns'], `../../../${escaped}`],
    ['table a/b', ['ns'], 'a/b'],
    ['table with a backslash', ['ns'], 'a\\..\\b'],
    ['empty table name', ['ns'], ''],
    ['namespace ..', ['..'], escaped],
    ['namespace ../..', ['..', '..'], escaped],
    ['namespace with a slash', ['a/b'], escaped],
    ['namespace with slashes and dots', ['a/../..'], escaped],
  ];

  for (const [what, namespace, name] of hostile) {
    it(`refuses ${what}, and writes nothing outside (unscoped FileIO)`, async () => {
      const c = catalog();
      // The SQL catalog itself refuses namespace levels with '.'; the location check covers
      // every catalog (and the names the SQL catalog accepts).
      const e = await caught(loadOrCreateTable(c, { namespace, name }, { schema: SCHEMA as never }));
      expect(e.kind).toBe('config-invalid');
      expect(e.message).toMatch(
        /default location .* is not a folder inside the warehouse|levels must be non-empty and contain no "\."/,
      );
      expect(outsideWarehouse()).toEqual([]);
      expect(files(warehouse)).toEqual([]);
      expect(existsSync(join(tmpdir(), escaped))).toBe(false);
    });
  }

  it('refuses a given location with dot segments', async () => {
    const c = catalog();
    await c.createNamespace(['ns']);
    const e = await caught(
      createTable(c, 'ns.t', { schema: SCHEMA as never, location: `file://${warehouse}/ns/../../t` }),
    );
    expect(e.message).toMatch(/has a '\.' or '\.\.' segment/);
    expect(outsideWarehouse()).toEqual([]);
  });

  it('a %2e%2e table name is a literal folder inside the warehouse', async () => {
    const c = catalog({ scoped: true });
    const t = await loadOrCreateTable(c, 'ns.%2e%2e', { schema: SCHEMA as never });
    await t.append([{ id: 1n, name: 'a' }]);
    expect(outsideWarehouse()).toEqual([]);
    expect(files(warehouse).every((f) => f.startsWith('ns/%2e%2e/'))).toBe(true);
    expect((await loadTable(c, 'ns.%2e%2e')).metadata.location).toBe(`file://${warehouse}/ns/%2e%2e`);
  });

  it('with ScopedFileIO, a table registered with a location outside cannot be written or purged', async () => {
    // Another catalog, with its warehouse outside ours, creates a table; ours then registers it.
    const elsewhere = join(dir, 'elsewhere');
    const other = catalog({ warehouse: elsewhere, db: join(dir, 'other.db') });
    await other.createNamespace(['ns']);
    const created = await createTable(other, 'ns.t', { schema: SCHEMA as never });
    await created.append([{ id: 1n, name: 'a' }]);
    const before = files(elsewhere);

    const c = catalog({ scoped: true });
    await c.createNamespace(['ns']);
    await c.registerTable({ namespace: ['ns'], name: 't' }, created.metadataLocation);
    const t = await loadTable(c, 'ns.t');
    expect((await t.scan().toRows()).length).toBe(1); // reads are allowed
    const e = await caught(t.append([{ id: 2n, name: 'b' }]));
    expect(e.message).toMatch(/refusing to write .*elsewhere.* not inside the warehouse/);
    await expect(c.dropTable({ namespace: ['ns'], name: 't' }, { purge: true })).rejects.toThrow(
      /refusing to delete/,
    );
    expect(files(elsewhere)).toEqual(before);
    expect(files(warehouse)).toEqual([]);
  });
});
