import { describe, expect, it } from 'vitest';
import { FloeError } from '../../src/errors.js';
import { bucketIndex, decimalToBytes, hashValue } from '../../src/iceberg/spec/bucket.js';
import { murmur3x86_32 } from '../../src/iceberg/spec/murmur3.js';
import {
  buildPartitionSpec,
  lastPartitionId,
  type PartitionFieldInput,
  partitionStructType,
  partitionTuple,
  type SchemaLookup,
  unpartitionedSpec,
} from '../../src/iceberg/spec/partition.js';
import {
  applyTransform,
  canTransform,
  parseTransform,
  partitionPath,
  transformResultType,
  transformToHumanString,
  transformToString,
} from '../../src/iceberg/spec/transforms.js';
import type { IcebergType, PrimitiveType } from '../../src/iceberg/spec/types.js';
import { toPhysical } from '../../src/iceberg/spec/values.js';

/** Spec App. B hash table. */
const SPEC_HASHES: [PrimitiveType, unknown, number][] = [
  ['int', 34, 2017239379],
  ['long', 34n, 2017239379],
  ['decimal(9, 2)', '14.20', -500754589],
  ['date', '2017-11-16', -653330422],
  ['time', '22:31:08', -662762989],
  ['timestamp', '2017-11-16T22:31:08', -2047944441],
  ['timestamptz', '2017-11-16T14:31:08-08:00', -2047944441],
  ['string', 'iceberg', 1210000089],
  ['uuid', 'f79c3e09-677c-4bbd-a479-3f349cb785e7', 1488055340],
  ['fixed[4]', '00010203', -188683207],
  ['binary', '00010203', -188683207],
  ['float', 1, -142385009],
  ['double', 1, -142385009],
];

describe('murmur3 and bucket hashing (spec App. B)', () => {
  it.each(SPEC_HASHES)('%s %s hashes to %d', (type, v, expected) => {
    expect(hashValue(type, toPhysical(type, v))).toBe(expected);
  });

  it('matches murmur3_x86_32 reference values on raw bytes, every tail length', () => {
    const enc = new TextEncoder();
    expect(murmur3x86_32(new Uint8Array())).toBe(0);
    expect(murmur3x86_32(new Uint8Array(), 1)).toBe(0x514e28b7);
    expect(murmur3x86_32(enc.encode('a'))).toBe(0x3c2569b2);
    expect(murmur3x86_32(enc.encode('ab'))).toBe(0x9bbfd75f | 0);
    expect(murmur3x86_32(enc.encode('abc'))).toBe(0xb3dd93fa | 0);
    expect(murmur3x86_32(enc.encode('abcd'))).toBe(0x43ed676a);
    expect(murmur3x86_32(enc.encode('The quick brown fox jumps over the lazy dog'))).toBe(0x2e4ff723);
  });

  it('int and long hash the same, so promotion keeps buckets', () => {
    for (const v of [0, 1, -1, 2147483647, -2147483648])
      expect(hashValue('int', v)).toBe(hashValue('long', BigInt(v)));
  });

  it('hashes strings as UTF-8 (astral characters included)', () => {
    expect(hashValue('string', '😀')).toBe(murmur3x86_32(new Uint8Array([0xf0, 0x9f, 0x98, 0x80])));
  });

  it('decimal bytes are minimal two’s complement (Java BigInteger.toByteArray)', () => {
    expect([...decimalToBytes(0n)]).toEqual([0]);
    expect([...decimalToBytes(127n)]).toEqual([0x7f]);
    expect([...decimalToBytes(128n)]).toEqual([0x00, 0x80]);
    expect([...decimalToBytes(-128n)]).toEqual([0x80]);
    expect([...decimalToBytes(-129n)]).toEqual([0xff, 0x7f]);
    expect([...decimalToBytes(1420n)]).toEqual([0x05, 0x8c]);
  });

  it('bucket = (hash & MAX_INT) % N', () => {
    expect(bucketIndex('int', 34, 16)).toBe((2017239379 & 0x7fffffff) % 16);
    expect(bucketIndex('string', 'iceberg', 100)).toBe((1210000089 & 0x7fffffff) % 100);
    // negative hash: the sign bit is masked, not negated
    expect(bucketIndex('date', 17486, 7)).toBe((-653330422 & 0x7fffffff) % 7);
  });
});

describe('parsing transforms', () => {
  it('parses every transform and prints it back', () => {
    for (const s of ['identity', 'year', 'month', 'day', 'hour', 'bucket[16]', 'truncate[4]', 'void']) {
      expect(transformToString(parseTransform(s))).toBe(s);
    }
    expect(parseTransform('Bucket[ 8 ]')).toEqual({ kind: 'bucket', n: 8 });
  });

  it.each(['bucket', 'bucket[0]', 'truncate[-1]', 'days', 'bucket[x]', ''])('rejects %j', (s) => {
    expect(() => parseTransform(s)).toThrow(FloeError);
  });
});

describe('source types and result types', () => {
  const all: PrimitiveType[] = [
    'boolean',
    'int',
    'long',
    'float',
    'double',
    'decimal(9, 2)',
    'date',
    'time',
    'timestamp',
    'timestamptz',
    'string',
    'uuid',
    'fixed[4]',
    'binary',
  ];
  const accepted = (t: string) => all.filter((s) => canTransform(t, s));

  it('follows the spec table', () => {
    expect(accepted('identity')).toEqual(all);
    expect(accepted('void')).toEqual(all);
    expect(accepted('bucket[4]')).toEqual([
      'int',
      'long',
      'decimal(9, 2)',
      'date',
      'time',
      'timestamp',
      'timestamptz',
      'string',
      'uuid',
      'fixed[4]',
      'binary',
    ]);
    expect(accepted('truncate[4]')).toEqual(['int', 'long', 'decimal(9, 2)', 'string', 'binary']);
    expect(accepted('year')).toEqual(['date', 'timestamp', 'timestamptz']);
    expect(accepted('month')).toEqual(['date', 'timestamp', 'timestamptz']);
    expect(accepted('day')).toEqual(['date', 'timestamp', 'timestamptz']);
    expect(accepted('hour')).toEqual(['timestamp', 'timestamptz']);
    const struct: IcebergType = { type: 'struct', fields: [] };
    expect(canTransform('identity', struct)).toBe(false);
  });

  it('gives result types', () => {
    expect(transformResultType('identity', 'uuid')).toBe('uuid');
    expect(transformResultType('bucket[4]', 'string')).toBe('int');
    expect(transformResultType('truncate[4]', 'decimal(9, 2)')).toBe('decimal(9, 2)');
    expect(transformResultType('year', 'timestamptz')).toBe('int');
    expect(transformResultType('month', 'date')).toBe('int');
    expect(transformResultType('day', 'timestamp')).toBe('date');
    expect(transformResultType('hour', 'timestamp')).toBe('int');
    expect(transformResultType('void', 'long')).toBe('long');
    expect(() => transformResultType('hour', 'date')).toThrow(/hour cannot be applied to type date/);
  });
});

describe('applyTransform', () => {
  const ts = (s: string) => toPhysical('timestamp', s);

  it('returns null for null and for void', () => {
    expect(applyTransform('day', 'timestamp', null)).toBeNull();
    expect(applyTransform('bucket[4]', 'int', undefined)).toBeNull();
    expect(applyTransform('void', 'int', 5)).toBeNull();
    expect(applyTransform('identity', 'string', 'x')).toBe('x');
  });

  it('time transforms on positive values', () => {
    const v = ts('2017-11-16T22:31:08');
    expect(applyTransform('year', 'timestamp', v)).toBe(47);
    expect(applyTransform('month', 'timestamp', v)).toBe(47 * 12 + 10);
    expect(applyTransform('day', 'timestamp', v)).toBe(17486);
    expect(applyTransform('hour', 'timestamp', v)).toBe(17486 * 24 + 22);
    expect(applyTransform('year', 'date', 17486)).toBe(47);
    expect(applyTransform('month', 'date', 17486)).toBe(574);
    expect(applyTransform('day', 'date', 17486)).toBe(17486);
  });

  it('floors time transforms for pre-1970 values', () => {
    const v = ts('1969-12-31T23:59:59.999999');
    expect(v).toBe(-1n);
    expect(applyTransform('year', 'timestamp', v)).toBe(-1);
    expect(applyTransform('month', 'timestamp', v)).toBe(-1);
    expect(applyTransform('day', 'timestamp', v)).toBe(-1);
    expect(applyTransform('hour', 'timestamp', v)).toBe(-1);
    const w = ts('1900-03-01T00:00:00');
    expect(applyTransform('year', 'timestamp', w)).toBe(-70);
    expect(applyTransform('month', 'timestamp', w)).toBe(-70 * 12 + 2);
    expect(applyTransform('hour', 'timestamptz', ts('1969-12-31T22:00:00'))).toBe(-2);
    expect(applyTransform('year', 'date', -365)).toBe(-1);
    expect(applyTransform('year', 'date', -366)).toBe(-2);
    expect(applyTransform('month', 'date', toPhysical('date', '1969-11-30'))).toBe(-2);
    expect(applyTransform('day', 'timestamp', ts('0001-01-01T00:00:00'))).toBe(-719162);
  });

  it('bucket', () => {
    expect(applyTransform('bucket[16]', 'int', 34)).toBe((2017239379 & 0x7fffffff) % 16);
    expect(applyTransform('bucket[16]', 'long', 34n)).toBe(applyTransform('bucket[16]', 'int', 34));
    expect(applyTransform('bucket[100]', 'uuid', 'f79c3e09-677c-4bbd-a479-3f349cb785e7')).toBe(
      1488055340 % 100,
    );
  });

  it('truncate ints and longs toward −∞', () => {
    expect(applyTransform('truncate[10]', 'int', 1)).toBe(0);
    expect(applyTransform('truncate[10]', 'int', -1)).toBe(-10);
    expect(applyTransform('truncate[10]', 'int', -10)).toBe(-10);
    expect(applyTransform('truncate[10]', 'int', -11)).toBe(-20);
    expect(applyTransform('truncate[10]', 'long', -1n)).toBe(-10n);
    expect(applyTransform('truncate[10]', 'long', 1234n)).toBe(1230n);
    // Java int arithmetic wraps at the edge; the reference implementation is followed.
    expect(applyTransform('truncate[10]', 'int', -2147483648)).toBe(2147483646);
  });

  it('truncate decimals on the unscaled value', () => {
    const d = 'decimal(9, 2)';
    expect(applyTransform('truncate[50]', d, toPhysical(d, '10.65'))).toBe(1050n);
    expect(applyTransform('truncate[10]', d, toPhysical(d, '-0.05'))).toBe(-10n);
  });

  it('truncate strings by code points and binary by bytes', () => {
    expect(applyTransform('truncate[3]', 'string', 'iceberg')).toBe('ice');
    expect(applyTransform('truncate[2]', 'string', '😀a😀')).toBe('😀a');
    expect(applyTransform('truncate[5]', 'string', 'ab')).toBe('ab');
    expect(applyTransform('truncate[2]', 'binary', new Uint8Array([1, 2, 3]))).toEqual(
      new Uint8Array([1, 2]),
    );
  });

  it('rejects a transform its source type does not allow', () => {
    expect(() => applyTransform('day', 'string', 'x')).toThrow(FloeError);
  });
});

describe('human strings and paths', () => {
  it('formats as Java toHumanString', () => {
    expect(transformToHumanString('year', 'int', 47)).toBe('2017');
    expect(transformToHumanString('year', 'int', -1)).toBe('1969');
    expect(transformToHumanString('month', 'int', 574)).toBe('2017-11');
    expect(transformToHumanString('month', 'int', -1)).toBe('1969-12');
    expect(transformToHumanString('day', 'date', 17486)).toBe('2017-11-16');
    expect(transformToHumanString('hour', 'int', 17486 * 24 + 22)).toBe('2017-11-16-22');
    expect(transformToHumanString('hour', 'int', -1)).toBe('1969-12-31-23');
    expect(transformToHumanString('bucket[16]', 'int', 3)).toBe('3');
    expect(transformToHumanString('identity', 'timestamp', 1_510_871_468_000_000n)).toBe(
      '2017-11-16T22:31:08',
    );
    expect(transformToHumanString('identity', 'timestamptz', 1_510_871_468_500_000n)).toBe(
      '2017-11-16T22:31:08.500Z',
    );
    expect(transformToHumanString('identity', 'timestamp', 1n)).toBe('1970-01-01T00:00:00.000001');
    expect(transformToHumanString('identity', 'time', 36_900_000_000n)).toBe('10:15');
    expect(transformToHumanString('identity', 'decimal(9, 2)', 1420n)).toBe('14.20');
    expect(transformToHumanString('identity', 'binary', new Uint8Array([0xff, 0xfe]))).toBe('//4=');
    expect(transformToHumanString('identity', 'double', 1)).toBe('1.0');
    expect(transformToHumanString('identity', 'boolean', true)).toBe('true');
    expect(transformToHumanString('identity', 'string', null)).toBe('null');
  });

  it('builds escaped path segments', () => {
    expect(partitionPath('day', 'date', 'ts_day', 19724)).toBe('ts_day=2024-01-02');
    expect(partitionPath('bucket[16]', 'int', 'id_bucket', 3)).toBe('id_bucket=3');
    expect(partitionPath('identity', 'string', 'name', 'a b/c?d=é')).toBe('name=a+b%2Fc%3Fd%3D%C3%A9');
    expect(partitionPath('identity', 'string', 'my col', null)).toBe('my+col=null');
    expect(partitionPath('identity', 'long', 'n', -5n)).toBe('n=-5');
  });
});

describe('partition specs', () => {
  const columns: Record<string, { id: number; type: IcebergType }> = {
    id: { id: 1, type: 'long' },
    ts: { id: 2, type: 'timestamptz' },
    name: { id: 3, type: 'string' },
    'loc.city': { id: 5, type: 'string' },
    loc: {
      id: 4,
      type: { type: 'struct', fields: [{ id: 5, name: 'city', required: false, type: 'string' }] },
    },
    flag: { id: 6, type: 'boolean' },
  };
  const lookup: SchemaLookup = (key) => {
    if (typeof key === 'string') return columns[key];
    const hit = Object.entries(columns).find(([, c]) => c.id === key);
    return hit ? { ...hit[1], name: hit[0] } : undefined;
  };
  const build = (fields: PartitionFieldInput[]) => buildPartitionSpec(lookup, fields);

  it('names fields as Java does and numbers them from 1000', () => {
    const spec = build([
      { source: 'ts', transform: 'day' },
      { source: 'id', transform: 'bucket[16]' },
      { source: 'name', transform: 'truncate[4]' },
      { source: 'loc.city', transform: 'identity' },
      { source: 'flag', transform: 'void' },
    ]);
    expect(spec).toEqual({
      'spec-id': 0,
      fields: [
        { 'source-id': 2, 'field-id': 1000, name: 'ts_day', transform: 'day' },
        { 'source-id': 1, 'field-id': 1001, name: 'id_bucket', transform: 'bucket[16]' },
        { 'source-id': 3, 'field-id': 1002, name: 'name_trunc', transform: 'truncate[4]' },
        { 'source-id': 5, 'field-id': 1003, name: 'loc.city', transform: 'identity' },
        { 'source-id': 6, 'field-id': 1004, name: 'flag_null', transform: 'void' },
      ],
    });
    for (const t of ['year', 'month', 'hour']) {
      expect(build([{ source: 'ts', transform: t }]).fields[0]!.name).toBe(`ts_${t}`);
    }
    expect(build([{ source: 'ts', transform: 'DAY', name: 'd' }]).fields[0]).toEqual({
      'source-id': 2,
      'field-id': 1000,
      name: 'd',
      transform: 'day',
    });
    expect(lastPartitionId([spec, unpartitionedSpec()])).toBe(1004);
    expect(lastPartitionId([unpartitionedSpec()])).toBe(999);
  });

  const invalid = (fields: PartitionFieldInput[], pattern: RegExp) => {
    try {
      build(fields);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FloeError);
      expect((e as FloeError).kind).toBe('config-invalid');
      expect((e as FloeError).message).toMatch(pattern);
    }
  };

  it('rejects invalid fields, naming them', () => {
    invalid(
      [{ source: 'nope', transform: 'day' }],
      /partitionBy\[0\]: partition source column "nope" is not in the schema/,
    );
    invalid(
      [{ source: 'name', transform: 'day' }],
      /transform day cannot be applied to column "name" of type string/,
    );
    invalid([{ source: 'loc', transform: 'identity' }], /must be a primitive column/);
    invalid([{ source: 'ts', transform: 'week' }], /partitionBy\[0\]: unknown partition transform "week"/);
    invalid(
      [
        { source: 'id', transform: 'bucket[4]', name: 'p' },
        { source: 'name', transform: 'identity', name: 'p' },
      ],
      /partitionBy\[1\]: duplicate partition field name "p"/,
    );
    invalid([{ source: 'ts', transform: 'day', name: 'id' }], /"id" is also a schema column/);
    invalid(
      [
        { source: 'ts', transform: 'day' },
        { source: 'ts', transform: 'hour' },
      ],
      /"ts_hour" is redundant with "ts_day"/,
    );
  });

  it('computes tuples and the manifest partition struct', () => {
    const spec = build([
      { source: 'ts', transform: 'day' },
      { source: 'id', transform: 'bucket[16]' },
      { source: 'name', transform: 'truncate[2]' },
    ]);
    const row = new Map<number, unknown>([
      [1, 34n],
      [2, toPhysical('timestamptz', '2017-11-16T14:31:08-08:00')],
      [3, null],
    ]);
    expect(partitionTuple(spec, lookup, row)).toEqual({
      ts_day: 17486,
      id_bucket: (2017239379 & 0x7fffffff) % 16,
      name_trunc: null,
    });
    expect(partitionTuple(spec, lookup, (id) => (id === 3 ? 'iceberg' : null))).toEqual({
      ts_day: null,
      id_bucket: null,
      name_trunc: 'ic',
    });
    expect(partitionStructType(spec, lookup)).toEqual({
      type: 'struct',
      fields: [
        { id: 1000, name: 'ts_day', required: false, type: 'date' },
        { id: 1001, name: 'id_bucket', required: false, type: 'int' },
        { id: 1002, name: 'name_trunc', required: false, type: 'string' },
      ],
    });
    expect(partitionStructType(unpartitionedSpec(), lookup)).toEqual({ type: 'struct', fields: [] });
  });
});
