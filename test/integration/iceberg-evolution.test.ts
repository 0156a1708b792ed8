/**
 * Schema evolution beyond add-column (nested renames, nested adds and drops read by field id,
 * union by name) and dynamic partition overwrite, against real tables (SQLite catalog, DuckDB
 * reading the Parquet files floe wrote).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable, loadTable, type Table, where } from '../../src/iceberg/index.js';
import { type TempCatalog, tempCatalog } from '../support/temp-catalog.js';

let tc: TempCatalog;
beforeAll(async () => {
  tc = tempCatalog();
  await tc.catalog.createNamespace(['ns']);
});
afterAll(async () => tc.cleanup());

const nested = [
  { name: 'id', type: 'long', required: true },
  {
    name: 'info',
    type: {
      type: 'struct',
      fields: [
        { name: 'zip', type: 'string' },
        { name: 'city', type: 'string' },
        { name: 'geo', type: { type: 'struct', fields: [{ name: 'lat', type: 'double' }] } },
      ],
    },
  },
  {
    name: 'points',
    type: {
      type: 'list',
      element: {
        type: 'struct',
        fields: [
          { name: 'x', type: 'int' },
          { name: 'y', type: 'int' },
        ],
      },
    },
  },
  {
    name: 'attrs',
    type: { type: 'map', key: 'string', value: { type: 'struct', fields: [{ name: 'a', type: 'int' }] } },
  },
] as const;

function nestedRow(i: number) {
  return {
    id: BigInt(i),
    info: { zip: `z${i}`, city: `c${i}`, geo: { lat: i + 0.5 } },
    points: [
      { x: i, y: -i },
      { x: i + 1, y: null },
    ],
    attrs: [[`k${i}`, { a: i * 10 }]],
  };
}

async function sorted(t: Table): Promise<Record<string, unknown>[]> {
  return (await t.scan().toRows()).sort((a, b) => Number(a.id) - Number(b.id));
}

function fieldIdAt(t: Table, path: string[]): number {
  // biome-ignore lint/suspicious/noExplicitAny: walking the schema JSON by name
  let fields: any[] = t.schema().fields as any[];
  let id = -1;
  for (const name of path) {
    const f = fields.find((x) => x.name === name);
    id = f.id;
    const ty = f.type;
    fields = ty.type === 'struct' ? ty.fields : ty.type === 'list' ? ty.element.fields : ty.value?.fields;
  }
  return id;
}

describe('nested schema evolution, read by field id', () => {
  it('renames fields inside structs, lists of structs and map values; old files read under the new names', async () => {
    const t = await createTable(tc.catalog, 'ns.nested_rename', { schema: nested as never });
    await t.append([nestedRow(1), nestedRow(2)]);
    const zipId = fieldIdAt(t, ['info', 'zip']);
    await t.updateSchema({
      renameColumns: [
        { name: 'info.zip', to: 'postcode' },
        { name: 'info.geo.lat', to: 'latitude' },
        { name: 'points.element.x', to: 'px' },
        { name: 'attrs.value.a', to: 'aa' },
        { name: 'info', to: 'address' },
      ],
    });
    expect(fieldIdAt(t, ['address', 'postcode'])).toBe(zipId);
    await t.append([
      {
        id: 3n,
        address: { postcode: 'z3', city: 'c3', geo: { latitude: 3.5 } },
        points: [{ px: 3, y: -3 }],
        attrs: [['k3', { aa: 30 }]],
      },
    ]);
    const rows = await sorted(await loadTable(tc.catalog, 'ns.nested_rename'));
    expect(rows).toEqual([
      {
        id: 1n,
        address: { postcode: 'z1', city: 'c1', geo: { latitude: 1.5 } },
        points: [
          { px: 1, y: -1 },
          { px: 2, y: null },
        ],
        attrs: [['k1', { aa: 10 }]],
      },
      {
        id: 2n,
        address: { postcode: 'z2', city: 'c2', geo: { latitude: 2.5 } },
        points: [
          { px: 2, y: -2 },
          { px: 3, y: null },
        ],
        attrs: [['k2', { aa: 20 }]],
      },
      {
        id: 3n,
        address: { postcode: 'z3', city: 'c3', geo: { latitude: 3.5 } },
        points: [{ px: 3, y: -3 }],
        attrs: [['k3', { aa: 30 }]],
      },
    ]);
    // Filters and projections see the renamed values too.
    expect((await t.scan({ filter: where.eq('id', 2) }).toRows())[0]!.address).toEqual({
      postcode: 'z2',
      city: 'c2',
      geo: { latitude: 2.5 },
    });
    // The name mapping keeps the old nested names for files written without field ids.
    type Entry = { 'field-id': number; names: string[]; fields?: Entry[] };
    const mapping = JSON.parse(t.metadata.properties['schema.name-mapping.default']!) as Entry[];
    const find = (es: Entry[] | undefined, id: number): Entry | undefined => {
      for (const e of es ?? []) {
        if (e['field-id'] === id) return e;
        const inner = find(e.fields, id);
        if (inner) return inner;
      }
      return undefined;
    };
    expect(find(mapping, zipId)!.names).toEqual(['postcode', 'zip']);
    expect(find(mapping, fieldIdAt(t, ['points', 'px']))!.names).toEqual(['px', 'x']);
    expect(find(mapping, fieldIdAt(t, ['attrs', 'aa']))!.names).toEqual(['aa', 'a']);
  });

  it('nested add and drop: old files read NULL for new members, and a dropped member re-added under its name does not show old values', async () => {
    const t = await createTable(tc.catalog, 'ns.nested_drop', { schema: nested as never });
    await t.append([nestedRow(1)]);
    await t.updateSchema({ dropColumns: ['info.city', 'points.y'] });
    await t.updateSchema({
      addColumns: [
        { name: 'city', type: 'string', parent: 'info' },
        { name: 'z', type: 'long', parent: 'points' },
        { name: 'b', type: 'string', parent: 'attrs.value' },
      ],
    });
    await t.append([
      {
        id: 2n,
        info: { zip: 'z2', geo: { lat: 2.5 }, city: 'new' },
        points: [{ x: 2, z: 7n }],
        attrs: [['k2', { a: 20, b: 'bee' }]],
      },
    ]);
    expect(await sorted(t)).toEqual([
      {
        id: 1n,
        info: { zip: 'z1', geo: { lat: 1.5 }, city: null },
        points: [
          { x: 1, z: null },
          { x: 2, z: null },
        ],
        attrs: [['k1', { a: 10, b: null }]],
      },
      {
        id: 2n,
        info: { zip: 'z2', geo: { lat: 2.5 }, city: 'new' },
        points: [{ x: 2, z: 7n }],
        attrs: [['k2', { a: 20, b: 'bee' }]],
      },
    ]);
    await expect(t.updateSchema({ dropColumns: ['info.geo.lat'] })).rejects.toThrow(
      /only field of its struct/,
    );
    await expect(t.updateSchema({ renameColumns: [{ name: 'info.zip', to: 'city' }] })).rejects.toThrow(
      /exists beside it/,
    );
    await expect(t.updateSchema({ renameColumns: [{ name: 'info.nope', to: 'x' }] })).rejects.toThrow(
      /"info.nope" does not exist/,
    );
  });

  it('copy-on-write deletes and merges rewrite old files with their renamed nested values intact', async () => {
    const t = await createTable(tc.catalog, 'ns.nested_cow', {
      schema: nested as never,
      properties: { 'write.delete.mode': 'copy-on-write', 'write.merge.mode': 'copy-on-write' },
    });
    await t.append([nestedRow(1), nestedRow(2), nestedRow(3)]);
    await t.updateSchema({ renameColumns: [{ name: 'info.zip', to: 'postcode' }] });
    await t.deleteWhere(where.eq('id', 1));
    await t.merge(
      [{ id: 3n, info: { postcode: 'z3b', city: 'c3', geo: { lat: 3.5 } }, points: [], attrs: [] }],
      { keys: ['id'] },
    );
    expect(t.currentSnapshot()!.summary['deleted-data-files']).toBe('1');
    expect((await sorted(t)).map((r) => [r.id, r.info])).toEqual([
      [2n, { postcode: 'z2', city: 'c2', geo: { lat: 2.5 } }],
      [3n, { postcode: 'z3b', city: 'c3', geo: { lat: 3.5 } }],
    ]);
  });
});

describe('union by name', () => {
  it('adds missing columns (nested too), widens, makes optional, never drops', async () => {
    const t = await createTable(tc.catalog, 'ns.union', {
      schema: [
        { name: 'id', type: 'int', required: true },
        { name: 'price', type: 'decimal(10,2)', required: true },
        { name: 'info', type: { type: 'struct', fields: [{ name: 'zip', type: 'string' }] } },
        { name: 'tags', type: { type: 'list', element: 'int' } },
        { name: 'keep', type: 'string' },
      ],
    });
    await t.append([{ id: 1, price: '1.50', info: { zip: 'z' }, tags: [1], keep: 'k' }]);
    await t.updateSchema({
      unionByName: {
        fields: [
          { name: 'id', type: 'long', required: false },
          { name: 'price', type: 'decimal(12, 2)', required: true },
          {
            name: 'info',
            type: {
              type: 'struct',
              fields: [
                { name: 'zip', type: 'string' },
                { name: 'country', type: 'string' },
              ],
            },
          },
          { name: 'tags', type: { type: 'list', element: 'long' } },
          { name: 'note', type: 'string' },
        ],
      },
    });
    const s = t.schema();
    expect(s.fields.map((f) => [f.name, f.required])).toEqual([
      ['id', false],
      ['price', true],
      ['info', false],
      ['tags', false],
      ['keep', false],
      ['note', false],
    ]);
    expect(s.fields.find((f) => f.name === 'id')!.type).toBe('long');
    expect(s.fields.find((f) => f.name === 'price')!.type).toBe('decimal(12, 2)');
    expect(s.fields.find((f) => f.name === 'tags')!.type).toMatchObject({ element: 'long' });
    expect(JSON.stringify(s.fields.find((f) => f.name === 'info')!.type)).toContain('"country"');
    expect(await t.scan().toRows()).toEqual([
      { id: 1n, price: '1.50', info: { zip: 'z', country: null }, tags: [1n], keep: 'k', note: null },
    ]);
    // A narrower incoming type changes nothing; the same schema again commits nothing.
    const before = t.metadata['current-schema-id'];
    await t.updateSchema({ unionByName: { fields: [{ name: 'id', type: 'int' }] } });
    expect(t.metadata['current-schema-id']).toBe(before);
    await expect(
      t.updateSchema({ unionByName: { fields: [{ name: 'keep', type: 'int' }] } }),
    ).rejects.toThrow(/"keep" is string in ns.union but int in the incoming schema/);
    await expect(
      t.updateSchema({ unionByName: { fields: [{ name: 'info', type: 'string' }] } }),
    ).rejects.toThrow(/"info" is struct in ns.union but string/);
  });

  it('relaxes required list elements and map values (primitive and struct) that the incoming schema allows null', async () => {
    const point = { type: 'struct', fields: [{ name: 'x', type: 'int' }] } as const;
    const t = await createTable(tc.catalog, 'ns.union_elements', {
      schema: [
        { name: 'id', type: 'long', required: true },
        { name: 'tags', type: { type: 'list', element: 'string', 'element-required': true } },
        { name: 'points', type: { type: 'list', element: point, 'element-required': true } },
        { name: 'attrs', type: { type: 'map', key: 'string', value: 'int', 'value-required': true } },
        { name: 'fixed', type: { type: 'list', element: 'int', 'element-required': true } },
      ],
    });
    await t.append([{ id: 1n, tags: ['a'], points: [{ x: 1 }], attrs: [['k', 1]], fixed: [1] }]);
    await t.updateSchema({
      unionByName: {
        fields: [
          { name: 'tags', type: { type: 'list', element: 'string' } },
          { name: 'points', type: { type: 'list', element: point } },
          { name: 'attrs', type: { type: 'map', key: 'string', value: 'int' } },
          // Required in both: stays required.
          { name: 'fixed', type: { type: 'list', element: 'int', 'element-required': true } },
        ],
      },
    });
    const type = (name: string) =>
      t.schema().fields.find((f) => f.name === name)!.type as unknown as Record<string, unknown>;
    expect(type('tags')['element-required']).toBe(false);
    expect(type('points')['element-required']).toBe(false);
    expect(type('attrs')['value-required']).toBe(false);
    expect(type('fixed')['element-required']).toBe(true);
    // Rows with null elements and values now write, and the old file reads as before.
    await t.append([{ id: 2n, tags: ['b', null], points: [null], attrs: [['k', null]], fixed: [2] }]);
    expect(await sorted(t)).toEqual([
      { id: 1n, tags: ['a'], points: [{ x: 1 }], attrs: [['k', 1]], fixed: [1] },
      { id: 2n, tags: ['b', null], points: [null], attrs: [['k', null]], fixed: [2] },
    ]);
    // Field ids never change.
    expect(fieldIdAt(t, ['points', 'x'])).toBeGreaterThan(0);
  });
});

describe('dynamic partition overwrite', () => {
  const schema = [
    { name: 'id', type: 'long', required: true },
    { name: 'region', type: 'string' },
    { name: 'v', type: 'int' },
  ];
  const live = async (t: Table) => (await t.scan().toRows()).map((r) => `${r.region}:${r.id}:${r.v}`).sort();

  it('replaces exactly the partitions the new rows fall in, in one overwrite snapshot', async () => {
    const t = await createTable(tc.catalog, 'ns.dpo', {
      schema,
      partitionBy: [{ source: 'region', transform: 'identity' }],
    });
    await t.append([
      { id: 1n, region: 'eu', v: 1 },
      { id: 5n, region: 'eu', v: 1 },
      { id: 2n, region: 'us', v: 1 },
      { id: 3n, region: null, v: 1 },
    ]);
    await t.append([{ id: 4n, region: 'eu', v: 1 }]);
    await t.deleteWhere(where.eq('id', 1)); // a position delete file in the eu partition
    const r = await t.overwritePartitions([
      { id: 10n, region: 'eu', v: 2 },
      { id: 11n, region: null, v: 2 },
      { id: 12n, region: 'apac', v: 2 },
    ]);
    expect(r.snapshot.summary.operation).toBe('overwrite');
    expect(r.replacedFiles).toBe(3);
    expect(r.snapshot.summary['removed-delete-files']).toBe('1');
    expect(await live(t)).toEqual(['apac:12:2', 'eu:10:2', 'null:11:2', 'us:2:1']);
    // No rows: nothing committed.
    const same = await t.overwritePartitions([]);
    expect(same.snapshot['snapshot-id']).toBe(r.snapshot['snapshot-id']);
  });

  it('on an unpartitioned table it replaces the whole table', async () => {
    const t = await createTable(tc.catalog, 'ns.dpo_flat', { schema });
    await t.append([
      { id: 1n, region: 'eu', v: 1 },
      { id: 2n, region: 'us', v: 1 },
    ]);
    await t.overwritePartitions([{ id: 3n, region: 'eu', v: 2 }]);
    expect(await live(t)).toEqual(['eu:3:2']);
  });

  it('is planned again when another writer adds to a replaced partition meanwhile', async () => {
    const t = await createTable(tc.catalog, 'ns.dpo_race', {
      schema,
      partitionBy: [{ source: 'region', transform: 'identity' }],
    });
    await t.append([{ id: 1n, region: 'eu', v: 1 }]);
    const other = await loadTable(tc.catalog, 'ns.dpo_race');
    await other.append([
      { id: 2n, region: 'eu', v: 1 },
      { id: 3n, region: 'us', v: 1 },
    ]);
    // `t` still sees only the first append; its plan is stale and must not keep id 2.
    const r = await t.overwritePartitions([{ id: 9n, region: 'eu', v: 9 }]);
    expect(r.replans).toBe(1);
    expect(await live(t)).toEqual(['eu:9:9', 'us:3:1']);
  });
});

describe('dotted names', () => {
  it('a top-level column whose name holds a dot is renamed and dropped as itself', async () => {
    const t = await createTable(tc.catalog, 'ns.dotted', {
      schema: [
        { name: 'id', type: 'long' },
        { name: 'a.b', type: 'string' },
        { name: 'c.d', type: 'string' },
      ],
    });
    await t.append([{ id: 1n, 'a.b': 'x', 'c.d': 'y' }]);
    await t.updateSchema({ renameColumns: [{ name: 'a.b', to: 'ab' }], dropColumns: ['c.d'] });
    expect(await t.scan().toRows()).toEqual([{ id: 1n, ab: 'x' }]);
  });
});
