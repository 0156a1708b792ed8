import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFloeError } from '../../src/errors.js';
import { createTable, loadTable, type Table, uriToPath, where } from '../../src/iceberg/index.js';
import { canonicalSet, type TempCatalog, tempCatalog } from '../support/temp-catalog.js';

let tc: TempCatalog;
beforeAll(async () => {
  tc = tempCatalog();
  await tc.catalog.createNamespace(['ns']);
});
afterAll(async () => tc.cleanup());

const fields = [
  { name: 'id', type: 'long', required: false },
  { name: 'name', type: 'string' },
  { name: 'ts', type: 'timestamptz' },
  { name: 'amount', type: 'decimal(12,2)' },
];

function rows(from: number, n: number) {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return {
      id: BigInt(i),
      name: `name-${i}`,
      ts: new Date(Date.UTC(2024, 0, 1 + (i % 40), 12)).toISOString(),
      amount: `${i}.${String(i % 100).padStart(2, '0')}`,
    };
  });
}

async function ids(t: Table, opts = {}) {
  return (await t.scan(opts).toRows()).map((r) => Number(r.id)).sort((a, b) => a - b);
}

describe('Iceberg tables', () => {
  it('appends, reads back, and keeps snapshot totals', async () => {
    const t = await createTable(tc.catalog, 'ns.basic', { schema: fields });
    await t.append(rows(0, 10));
    await t.append(rows(10, 5));
    expect(await ids(t)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    const s = t.currentSnapshot()!;
    expect(s.summary['total-records']).toBe('15');
    expect(s.summary['total-data-files']).toBe('2');
    expect(s.summary['added-records']).toBe('5');
    const again = await loadTable(tc.catalog, 'ns.basic');
    const first = (await again.scan({ filter: where.eq('id', 3) }).toRows())[0]!;
    expect(first).toEqual({ id: 3n, name: 'name-3', ts: '2024-01-04T12:00:00.000000+00:00', amount: '3.03' });
  });

  it('time travel by snapshot id and by timestamp', async () => {
    const t = await createTable(tc.catalog, 'ns.travel', { schema: fields });
    const a = await t.append(rows(0, 3));
    await new Promise((r) => setTimeout(r, 5));
    await t.append(rows(3, 3));
    expect(await ids(t, { snapshotId: a.snapshot['snapshot-id'] })).toEqual([0, 1, 2]);
    expect(await ids(t, { asOfMs: a.snapshot['timestamp-ms'] })).toEqual([0, 1, 2]);
    expect(await ids(t)).toEqual([0, 1, 2, 3, 4, 5]);
    await expect(t.scan({ asOfMs: a.snapshot['timestamp-ms'] - 60_000 }).toRows()).rejects.toThrow(
      /no snapshot at/,
    );
  });

  it('incremental read returns exactly the rows appended in between', async () => {
    const t = await createTable(tc.catalog, 'ns.incr', { schema: fields });
    const s1 = await t.append(rows(0, 4));
    const s2 = await t.append(rows(4, 3));
    const s3 = await t.append(rows(7, 2));
    const between = await t.incremental(s1.snapshot['snapshot-id'], s3.snapshot['snapshot-id']).toRows();
    expect(between.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual([4, 5, 6, 7, 8]);
    const only2 = await t.incremental(s1.snapshot['snapshot-id'], s2.snapshot['snapshot-id']).toRows();
    expect(only2.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual([4, 5, 6]);
    expect((await t.incremental(undefined, s1.snapshot['snapshot-id']).toRows()).length).toBe(4);
  });

  it('overwrite replaces every row in one snapshot', async () => {
    const t = await createTable(tc.catalog, 'ns.over', { schema: fields });
    await t.append(rows(0, 5));
    await t.append(rows(5, 5));
    const r = await t.overwrite(rows(100, 2));
    expect(r.snapshot.summary.operation).toBe('overwrite');
    expect(r.snapshot.summary['deleted-records']).toBe('10');
    expect(r.snapshot.summary['total-records']).toBe('2');
    expect(await ids(t)).toEqual([100, 101]);
  });

  it('partition pruning by day and stats pruning by id skip files', async () => {
    const t = await createTable(tc.catalog, 'ns.parts', {
      schema: fields,
      partitionBy: [{ source: 'ts', transform: 'day' }],
    });
    await t.append(rows(0, 80)); // 40 distinct days
    const plan = await t.scan({ filter: where.gte('ts', '2024-01-30T00:00:00Z') }).plan();
    expect(plan.tasks.length).toBe(11); // Jan 30 .. Feb 9
    const rowsBack = await t.scan({ filter: where.gte('ts', '2024-01-30T00:00:00Z') }).toRows();
    expect(rowsBack.length).toBe(22);
    // Each day's file holds ids d and d+40: only the last day's [39, 79] can contain 79.
    const byId = await t.scan({ filter: where.eq('id', 79) }).plan();
    expect(byId.tasks.length).toBe(1);
    expect(await t.scan({ filter: where.eq('id', 79) }).toRows()).toHaveLength(1);
    expect((await t.scan({ filter: where.gt('id', 500) }).plan()).tasks.length).toBe(0);
  });

  it('manifests merge, so the manifest list stays short after many appends', async () => {
    const t = await createTable(tc.catalog, 'ns.many', {
      schema: fields,
      properties: { 'commit.manifest.min-count-to-merge': '10' },
    });
    for (let i = 0; i < 25; i++) await t.append(rows(i, 1));
    expect(await ids(t)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    const s = t.currentSnapshot()!;
    expect(s.summary['total-records']).toBe('25');
    const { readManifestList } = await import('../../src/iceberg/write/manifest-io.js');
    const list = await readManifestList(tc.catalog.io, s['manifest-list']);
    expect(list.length).toBeLessThan(10);
  });

  it('adds columns by schema evolution; old files read the new column as null', async () => {
    const t = await createTable(tc.catalog, 'ns.evolve', { schema: fields });
    await t.append(rows(0, 2));
    await t.updateSchema({ addColumns: [{ name: 'extra', type: 'string' }], widen: [] });
    await t.append([{ ...rows(2, 1)[0], extra: 'x' }]);
    const back = (await t.scan().toRows()).sort((a, b) => Number(a.id) - Number(b.id));
    expect(back.map((r) => r.extra)).toEqual([null, null, 'x']);
    expect(t.schema().fields.at(-1)).toMatchObject({ id: 5, name: 'extra', required: false });
  });

  it('bad input: unknown type, duplicate names, corrupt metadata, missing data file', async () => {
    await expect(
      createTable(tc.catalog, 'ns.bad1', { schema: [{ name: 'x', type: 'varchar' }] }),
    ).rejects.toThrow(/unknown Iceberg type "varchar".*table=ns.bad1|unknown Iceberg type "varchar"/);
    await expect(
      createTable(tc.catalog, 'ns.bad2', {
        schema: [
          { name: 'x', type: 'int' },
          { name: 'x', type: 'int' },
        ],
      }),
    ).rejects.toThrow(/duplicate field name "x"/);
    expect(await tc.catalog.tableExists({ namespace: ['ns'], name: 'bad1' })).toBe(false);

    const t = await createTable(tc.catalog, 'ns.corrupt', { schema: fields });
    await t.append(rows(0, 2));
    writeFileSync(uriToPath(t.metadataLocation), '{"format-version": 2, "oops": ');
    try {
      await loadTable(tc.catalog, 'ns.corrupt');
      expect.fail('should throw');
    } catch (e) {
      expect(isFloeError(e, 'metadata-corrupt')).toBe(true);
      const msg = (e as { describe(): string }).describe();
      expect(msg).toContain('table=ns.corrupt');
      expect(msg).toContain(t.metadataLocation);
    }

    const m = await createTable(tc.catalog, 'ns.missing', { schema: fields });
    await m.append(rows(0, 2));
    const dataDir = `${uriToPath(m.metadata.location)}/data`;
    for (const f of readdirSync(dataDir)) rmSync(`${dataDir}/${f}`);
    const before = m.metadataLocation;
    await expect(m.scan().toRows()).rejects.toThrow(
      /data file .* is missing.*table=ns.missing|missing: .*parquet/,
    );
    await expect(m.append([{ id: 'not-a-number' } as never])).rejects.toThrow();
    expect((await loadTable(tc.catalog, 'ns.missing')).metadataLocation).toBe(before);
  });

  it('rows with every primitive type round-trip in canonical form', async () => {
    const t = await createTable(tc.catalog, 'ns.types', {
      schema: [
        { name: 'b', type: 'boolean' },
        { name: 'i', type: 'int' },
        { name: 'l', type: 'long' },
        { name: 'f', type: 'float' },
        { name: 'd', type: 'double' },
        { name: 'dec', type: 'decimal(38,6)' },
        { name: 'dt', type: 'date' },
        { name: 'tm', type: 'time' },
        { name: 'ts', type: 'timestamp' },
        { name: 'tz', type: 'timestamptz' },
        { name: 's', type: 'string' },
        { name: 'bin', type: 'binary' },
        {
          name: 'st',
          type: {
            type: 'struct',
            fields: [
              { name: 'x', type: 'int' },
              { name: 'y', type: { type: 'list', element: 'string' } },
            ],
          },
        },
        { name: 'm', type: { type: 'map', key: 'string', value: 'long' } },
      ],
    });
    const input = {
      b: true,
      i: -7,
      l: 9007199254740993n,
      f: 1.5,
      d: 0.1,
      dec: '-12345678901234567890.123456',
      dt: '1969-07-20',
      tm: '20:17:40.123456',
      ts: '2024-02-29T23:59:59.999999',
      tz: '2024-02-29T23:59:59.999999+02:00',
      s: 'ünïcødé 🧊',
      bin: new Uint8Array([0, 255, 16]),
      st: { x: 1, y: ['a', null, 'c'] },
      m: { k1: 1n, k2: 2n },
    };
    await t.append([input, {}]);
    const back = canonicalSet(await t.scan().toRows());
    expect(back).toEqual(
      canonicalSet([
        {
          b: true,
          i: -7,
          l: 9007199254740993n,
          f: 1.5,
          d: 0.1,
          dec: '-12345678901234567890.123456',
          dt: '1969-07-20',
          tm: '20:17:40.123456',
          ts: '2024-02-29T23:59:59.999999',
          tz: '2024-02-29T21:59:59.999999+00:00',
          s: 'ünïcødé 🧊',
          bin: '00ff10',
          st: { x: 1, y: ['a', null, 'c'] },
          m: [
            ['k1', 1n],
            ['k2', 2n],
          ],
        },
        {
          b: null,
          i: null,
          l: null,
          f: null,
          d: null,
          dec: null,
          dt: null,
          tm: null,
          ts: null,
          tz: null,
          s: null,
          bin: null,
          st: null,
          m: null,
        },
      ]),
    );
  });
});

describe.each(['merge-on-read', 'copy-on-write'] as const)('MERGE (upsert by key), %s', (mode) => {
  it('updates matching keys, inserts new ones, dedupes input by the order column, touches only files holding a key', async () => {
    const t = await createTable(tc.catalog, `ns.merge_${mode.replace(/-/g, '_')}`, {
      schema: [
        { name: 'id', type: 'long' },
        { name: 'v', type: 'string' },
        { name: 'updated', type: 'timestamptz' },
      ],
      properties: { 'write.merge.mode': mode },
    });
    await t.append(
      Array.from({ length: 10 }, (_, i) => ({ id: i, v: `a${i}`, updated: '2024-01-01T00:00:00Z' })),
    );
    await t.append(
      Array.from({ length: 10 }, (_, i) => ({ id: 100 + i, v: `b${i}`, updated: '2024-01-01T00:00:00Z' })),
    );
    const r = await t.merge(
      [
        { id: 3, v: 'new3-old', updated: '2024-01-02T00:00:00Z' },
        { id: 3, v: 'new3', updated: '2024-01-03T00:00:00Z' },
        { id: 3, v: 'new3-older', updated: '2024-01-01T12:00:00Z' },
        { id: 500, v: 'inserted', updated: '2024-01-03T00:00:00Z' },
      ],
      { keys: ['id'], orderBy: 'updated' },
    );
    expect(r.matchedRows).toBe(1n);
    const s = r.snapshot.summary;
    expect(s.operation).toBe('overwrite');
    // Only the file holding id 3 was touched; the 100..109 file was pruned by its bounds.
    if (mode === 'copy-on-write') {
      expect(s['deleted-data-files']).toBe('1');
      expect(s['added-delete-files']).toBeUndefined();
      expect(s['total-position-deletes']).toBe('0');
    } else {
      expect(s['deleted-data-files']).toBeUndefined();
      expect(s['added-data-files']).toBe('1');
      expect(s['added-records']).toBe('2');
      expect(s['added-position-delete-files']).toBe('1');
      expect(s['added-position-deletes']).toBe('1');
      expect(s['total-delete-files']).toBe('1');
      expect(s['total-position-deletes']).toBe('1');
      expect(s['total-records']).toBe('22');
    }
    const rowsBack = await t.scan().toRows();
    expect(rowsBack.length).toBe(21);
    const byId = new Map(rowsBack.map((x) => [Number(x.id), x.v]));
    expect(byId.get(3)).toBe('new3');
    expect(byId.get(500)).toBe('inserted');
    expect(byId.get(4)).toBe('a4');
    // Merging the same input again changes nothing; the row written last time is the one matched.
    const again = await t.merge([{ id: 3, v: 'new3', updated: '2024-01-03T00:00:00Z' }], {
      keys: ['id'],
      orderBy: 'updated',
    });
    expect(again.matchedRows).toBe(1n);
    const back = await t.scan().toRows();
    expect(back.length).toBe(21);
    expect(back.filter((x) => Number(x.id) === 3).map((x) => x.v)).toEqual(['new3']);
    // A filtered read applies the deletes too.
    const three = await t.scan({ filter: where.eq('id', 3) }).toRows();
    expect(three.map((x) => x.v)).toEqual(['new3']);
  });
});

describe('appendQuery (columnar path)', () => {
  it('appends a DuckDB query, unpartitioned and partitioned, with the same results as row appends', async () => {
    const { withDuck } = await import('../../src/duck/session.js');
    for (const partitionBy of [[], [{ source: 'ts', transform: 'day' }]]) {
      const t = await createTable(tc.catalog, `ns.query_${partitionBy.length}`, {
        schema: fields,
        partitionBy,
      });
      await withDuck((d) =>
        d.run(`CREATE OR REPLACE TABLE q_src AS SELECT i::BIGINT AS id, 'n' || i AS name, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_hours(i * 7) AS ts,
          (i * 1.25)::DECIMAL(12,2) AS amount FROM range(100) t(i)`),
      );
      await t.appendQuery('SELECT * FROM q_src');
      const back = await t.scan({ filter: where.eq('id', 10) }).toRows();
      expect(back).toEqual([
        { id: 10n, name: 'n10', ts: '2024-01-03T22:00:00.000000+00:00', amount: '12.50' },
      ]);
      expect(t.currentSnapshot()!.summary['total-records']).toBe('100');
    }
  });
});

describe('schema evolution: rename and make optional', () => {
  it('renames keep the field id (old files read under the new name) and the old name in the name mapping', async () => {
    const t = await createTable(tc.catalog, 'ns.rename', {
      schema: [
        { name: 'id', type: 'long', required: true },
        { name: 'label', type: 'string', required: true },
      ],
    });
    await t.append([{ id: 1n, label: 'one' }]);
    const id = t.schema().fields.find((f) => f.name === 'label')!.id;
    await t.updateSchema({ renameColumns: [{ name: 'label', to: 'title' }], makeOptional: ['title'] });
    const f = t.schema().fields.find((x) => x.name === 'title')!;
    expect(f.id).toBe(id);
    expect(f.required).toBe(false);
    await t.append([{ id: 2n, title: null }]);
    expect((await t.scan().toRows()).map((r) => [Number(r.id), r.title]).sort()).toEqual([
      [1, 'one'],
      [2, null],
    ]);
    const mapping = JSON.parse(t.metadata.properties['schema.name-mapping.default']!) as {
      'field-id': number;
      names: string[];
    }[];
    expect(mapping.find((m) => m['field-id'] === id)!.names).toEqual(['title', 'label']);
    // A new column may take the old name; the mapping then gives it to the new column only.
    await t.updateSchema({ addColumns: [{ name: 'label', type: 'string' }] });
    const again = JSON.parse(t.metadata.properties['schema.name-mapping.default']!) as {
      'field-id': number;
      names: string[];
    }[];
    expect(again.find((m) => m['field-id'] === id)!.names).toEqual(['title']);
    expect(again.find((m) => m.names.includes('label'))!['field-id']).not.toBe(id);
    // Clear refusals.
    await expect(t.updateSchema({ renameColumns: [{ name: 'title', to: 'id' }] })).rejects.toThrow(
      /a column of that name exists/,
    );
    await expect(t.updateSchema({ renameColumns: [{ name: 'nope', to: 'x' }] })).rejects.toThrow(
      /does not exist/,
    );
  });
});
