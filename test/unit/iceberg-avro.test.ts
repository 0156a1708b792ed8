import { describe, expect, it } from 'vitest';
import { readAvroContainer, writeAvroContainer } from '../../src/iceberg/spec/avro.js';
import {
  decodeManifestList,
  encodeManifestList,
  MANIFEST_LIST_SCHEMA,
  manifestEntrySchema,
} from '../../src/iceberg/spec/manifest.js';

describe('Avro container', () => {
  it('round-trips records with 63-bit longs and keeps field-id attributes in the header', () => {
    const big = 0x7fff_ffff_ffff_fff1n;
    const list = [
      {
        manifest_path: 'file:///w/m0.avro',
        manifest_length: 1234n,
        partition_spec_id: 0,
        content: 0,
        sequence_number: 7n,
        min_sequence_number: 3n,
        added_snapshot_id: big,
        added_files_count: 2,
        existing_files_count: 0,
        deleted_files_count: 0,
        added_rows_count: 10n,
        existing_rows_count: 0n,
        deleted_rows_count: 0n,
        partitions: [
          { contains_null: false, contains_nan: null, lower_bound: Buffer.from([1]), upper_bound: null },
        ],
        key_metadata: null,
      },
    ];
    const buf = encodeManifestList(list, {
      snapshotId: big,
      parentSnapshotId: undefined,
      sequenceNumber: 7n,
    });
    const decoded = decodeManifestList(buf);
    expect(decoded[0]!.added_snapshot_id).toBe(big);
    expect(decoded[0]!.partitions![0]!.lower_bound).toEqual(Buffer.from([1]));
    const c = readAvroContainer(buf);
    expect(c.metadata['parent-snapshot-id']).toBe('null');
    expect(c.metadata['snapshot-id']).toBe(String(big));
    expect(JSON.stringify(c.schema)).toContain('"field-id":500');
    expect(JSON.stringify(c.schema)).toContain('"element-id":508');
    expect(c.metadata['avro.codec']).toBe('deflate');
  });

  it('writes many blocks and reads them all back', () => {
    const schema = { type: 'record', name: 'r', fields: [{ name: 'x', type: 'long', 'field-id': 1 }] };
    const records = Array.from({ length: 10_000 }, (_, i) => ({ x: BigInt(i) * 1_000_000_007n }));
    const back = readAvroContainer(writeAvroContainer(schema, records, {}, 1000)).records as { x: bigint }[];
    expect(back.length).toBe(10_000);
    expect(back[9999]!.x).toBe(9999n * 1_000_000_007n);
  });

  it('manifest entry schema carries ids on every field, and map/list ids', () => {
    const s = JSON.stringify(manifestEntrySchema([{ name: 'ts_day', fieldId: 1000, type: 'date' }]));
    for (const id of [0, 1, 2, 3, 4, 100, 101, 102, 103, 104, 108, 117, 118, 125, 126, 127, 132, 134, 1000]) {
      expect(s).toContain(`"field-id":${id}`);
    }
    expect(s).toContain('"element-id":133');
    expect(s).toContain('"logicalType":"map"');
    expect(JSON.stringify(MANIFEST_LIST_SCHEMA)).toContain('"field-id":519');
  });

  it('rejects garbage with a plain error', () => {
    expect(() => readAvroContainer(Buffer.from('not avro at all'))).toThrow(/bad magic/);
  });
});
