import { describe, expect, it } from 'vitest';
import { RowLineEncoder } from '../../src/l1/row-line.js';
import { recordTransformer, SchemaInferrer } from '../support/expected-rows.js';

const ingest = { timestamp: '2024-05-01T10:00:00.000Z', runId: 'run-1' };
const records: Record<string, unknown>[] = [
  {
    id: 'A',
    updatedDate: '2024-01-01T00:00:00Z',
    count: 1,
    ratio: 2,
    nested: { fooBar: 1, deep: { HTMLParser: 'x' } },
    tags: ['a', null],
    maybe: null,
  },
  {
    id: 'B',
    count: 2.5,
    ratio: 'n/a',
    nested: { fooBar: null, extraKey: true },
    tags: [],
    list: [{ xY: 1 }, { xY: 2, z: 'q' }],
    maybe: null,
  },
  {
    id: 'C',
    count: null,
    nested: 'scalar now',
    tags: ['b'],
    list: [{ xY: 3.5 }],
    later: { a: 1 },
    emptyObj: {},
  },
  { id: 'D', later: 'text', weird: [1, 'two', { three: 3 }], 'key with space': 1 },
];

describe('RowLineEncoder (the fused L1 hot path)', () => {
  it('writes the same rows as the plain rename + ingest columns', () => {
    const enc = new RowLineEncoder('snake_case', ingest);
    const plain = recordTransformer('snake_case', ingest);
    for (const r of records) {
      const line = JSON.parse(`${enc.encode(r)}}`);
      expect(line).toEqual(JSON.parse(JSON.stringify(plain(r))));
    }
  });

  it('infers the same schema as SchemaInferrer over the plain rows', () => {
    for (const naming of ['snake_case', 'source'] as const) {
      const enc = new RowLineEncoder(naming, ingest);
      const inf = new SchemaInferrer();
      const plain = recordTransformer(naming, ingest);
      for (const r of records) {
        enc.encode(r);
        inf.observe(plain(r));
      }
      const ingestNames = new Set(['ingest_timestamp', 'ingest_date', 'ingest_run_id']);
      expect(enc.fields()).toEqual(inf.fields().filter((f) => !ingestNames.has(f.name)));
    }
  });

  it('types: int+float → double, conflicts → string, never-typed fields left out', () => {
    const enc = new RowLineEncoder('snake_case', ingest);
    for (const r of records) enc.encode(r);
    const byName = new Map(enc.fields().map((f) => [f.name, f.type]));
    expect(byName.get('count')).toBe('double');
    expect(byName.get('ratio')).toBe('string');
    expect(byName.get('nested')).toBe('string');
    expect(byName.get('later')).toBe('string');
    expect(byName.has('maybe')).toBe(false);
    expect(byName.has('empty_obj')).toBe(false);
    expect(byName.get('list')).toEqual({
      type: 'list',
      element: {
        type: 'struct',
        fields: [
          { name: 'x_y', type: 'double', required: false },
          { name: 'z', type: 'string', required: false },
        ],
      },
    });
  });
});
