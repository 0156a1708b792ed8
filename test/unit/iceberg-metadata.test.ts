import { describe, expect, it } from 'vitest';
import { isFloeError } from '../../src/errors.js';
import { newSnapshotId, newTableMetadata, withSnapshot } from '../../src/iceberg/spec/metadata.js';
import { parseTableMetadata, serializeTableMetadata } from '../../src/iceberg/spec/metadata-json.js';
import { buildSchema, indexSchema } from '../../src/iceberg/spec/schema.js';

const schema = buildSchema([
  { name: 'id', type: 'long', required: true },
  {
    name: 's',
    type: {
      type: 'struct',
      fields: [
        { name: 'a', type: 'int' },
        { name: 'b', type: 'string' },
      ],
    },
  },
  { name: 'l', type: { type: 'list', element: 'double' } },
  { name: 'm', type: { type: 'map', key: 'string', value: { type: 'list', element: 'int' } } },
  { name: 'd', type: 'decimal(10,2)' },
]);

describe('schema', () => {
  it("assigns ids like Java: a struct's own fields first, then children", () => {
    expect(schema.fields.map((f) => f.id)).toEqual([1, 2, 3, 4, 5]);
    const idx = indexSchema(schema);
    expect(idx.get(6)?.path).toEqual(['s', 'a']);
    expect(idx.get(7)?.path).toEqual(['s', 'b']);
    expect(idx.get(8)?.path).toEqual(['l', 'element']);
    expect(idx.get(9)?.path).toEqual(['m', 'key']);
    expect(idx.get(10)?.path).toEqual(['m', 'value']);
    expect(idx.get(11)?.path).toEqual(['m', 'value', 'element']);
    expect(schema.fields[4]!.type).toBe('decimal(10, 2)');
  });

  it('rejects duplicate names and unknown types, naming the field', () => {
    expect(() =>
      buildSchema([
        { name: 'a', type: 'int' },
        { name: 'a', type: 'long' },
      ]),
    ).toThrow(/duplicate field name "a"/);
    expect(() => buildSchema([{ name: 'x', type: 'varchar' }])).toThrow(
      /unknown Iceberg type "varchar" for field "x"/,
    );
  });
});

describe('table metadata JSON', () => {
  it('round-trips 63-bit snapshot ids exactly', () => {
    let m = newTableMetadata({ location: 'file:///w/t', schema, spec: { 'spec-id': 0, fields: [] } });
    const id = 0x7fff_ffff_ffff_fffen;
    m = withSnapshot(m, {
      'snapshot-id': id,
      'sequence-number': 1n,
      'timestamp-ms': 1_700_000_000_000,
      'manifest-list': 'file:///w/t/metadata/snap.avro',
      summary: { operation: 'append', 'total-records': '3' },
    });
    const text = serializeTableMetadata(m);
    expect(text).toContain(`"snapshot-id": ${id}`);
    const back = parseTableMetadata(text, 'x.json');
    expect(back['current-snapshot-id']).toBe(id);
    expect(back.refs.main?.['snapshot-id']).toBe(id);
    expect(back.snapshots[0]!['sequence-number']).toBe(1n);
    expect(back['last-column-id']).toBe(11);
    expect(newSnapshotId() > 0n).toBe(true);
  });

  it('reports corrupt files with the file name', () => {
    for (const bad of ['{not json', '{"format-version": 2}', '[]']) {
      try {
        parseTableMetadata(bad, 'file:///w/t/metadata/00001-x.metadata.json');
        expect.fail('should throw');
      } catch (e) {
        expect(isFloeError(e, 'metadata-corrupt')).toBe(true);
        expect((e as Error & { describe(): string }).describe()).toContain('00001-x.metadata.json');
      }
    }
  });
});
