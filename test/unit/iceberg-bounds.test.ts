import { describe, expect, it } from 'vitest';
import { FloeError } from '../../src/errors.js';
import { deserializeBound, serializeBound } from '../../src/iceberg/spec/bounds.js';
import {
  boundsForBinary,
  boundsForStrings,
  truncateLowerBinary,
  truncateLowerString,
  truncateUpperBinary,
  truncateUpperString,
} from '../../src/iceberg/spec/truncate.js';
import type { PrimitiveType } from '../../src/iceberg/spec/types.js';
import { toPhysical } from '../../src/iceberg/spec/values.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('serializeBound (spec App. D)', () => {
  const cases: [PrimitiveType, unknown, string][] = [
    ['boolean', true, '01'],
    ['boolean', false, '00'],
    ['int', 1, '01000000'],
    ['int', -1, 'ffffffff'],
    ['date', '2017-11-16', '4e440000'],
    ['long', 1n, '0100000000000000'],
    ['long', -2n, 'feffffffffffffff'],
    ['time', '00:00:01', '40420f0000000000'],
    ['timestamp', '1970-01-01T00:00:00.000001', '0100000000000000'],
    ['timestamptz', '1969-12-31T23:59:59.999999Z', 'ffffffffffffffff'],
    ['float', 1, '0000803f'],
    ['double', 1, '000000000000f03f'],
    ['double', -0, '0000000000000080'],
    ['string', 'iceberg', '69636562657267'],
    ['string', '😀', 'f09f9880'],
    ['uuid', 'f79c3e09-677c-4bbd-a479-3f349cb785e7', 'f79c3e09677c4bbda4793f349cb785e7'],
    ['binary', '00010203', '00010203'],
    ['fixed[2]', 'abcd', 'abcd'],
    ['decimal(9, 2)', '14.20', '058c'],
    ['decimal(9, 2)', '-1.28', '80'],
    ['decimal(9, 2)', '1.28', '0080'],
    ['decimal(9, 2)', '0', '00'],
    ['decimal(38, 0)', '-1', 'ff'],
  ];

  it.each(cases)('%s %s → %s', (type, v, expected) => {
    const physical = toPhysical(type, v);
    const bytes = serializeBound(type, physical);
    expect(hex(bytes)).toBe(expected);
    const back = deserializeBound(type, bytes);
    expect(back).toEqual(physical);
  });

  it('round-trips extreme values', () => {
    const cases: [PrimitiveType, unknown][] = [
      ['int', 2147483647],
      ['int', -2147483648],
      ['long', 9223372036854775807n],
      ['long', -9223372036854775808n],
      ['timestamp', -62_135_596_800_000_000n],
      ['double', Number.MAX_VALUE],
      ['double', -Infinity],
      ['float', Math.fround(3.4e38)],
      ['decimal(38, 0)', 10n ** 38n - 1n],
      ['decimal(38, 0)', -(10n ** 38n) + 1n],
      ['string', ''],
      ['binary', new Uint8Array()],
    ];
    for (const [t, v] of cases) expect(deserializeBound(t, serializeBound(t, v))).toEqual(v);
  });

  it('keeps the sign of -0.0 (spec: -0.0 must be the lower bound when present)', () => {
    expect(Object.is(deserializeBound('double', serializeBound('double', -0)), -0)).toBe(true);
    expect(Object.is(deserializeBound('float', serializeBound('float', -0)), -0)).toBe(true);
  });

  it('reads bounds written before a type promotion by their width', () => {
    expect(deserializeBound('long', serializeBound('int', -5))).toBe(-5n);
    expect(deserializeBound('double', serializeBound('float', 1.5))).toBe(1.5);
    expect(deserializeBound('decimal(20, 2)', serializeBound('decimal(9, 2)', -1420n))).toBe(-1420n);
  });

  it('accepts integer numbers for 64-bit types', () => {
    expect(hex(serializeBound('long', 1))).toBe('0100000000000000');
  });

  it('rejects wrong physical values and wrong widths', () => {
    expect(() => serializeBound('string', 5)).toThrow(FloeError);
    expect(() => serializeBound('long', 1.5)).toThrow(FloeError);
    expect(() => deserializeBound('int', new Uint8Array(3))).toThrow(/expected 4 bytes/);
    expect(() => deserializeBound('uuid', new Uint8Array(15))).toThrow(FloeError);
    expect(() => deserializeBound('string', new Uint8Array([0xff]))).toThrow(/UTF-8/);
  });
});

describe('string bound truncation (Java UnicodeUtil)', () => {
  it('keeps short strings as they are', () => {
    expect(truncateLowerString('abc', 16)).toBe('abc');
    expect(truncateUpperString('abc', 16)).toBe('abc');
    expect(truncateUpperString('a'.repeat(16), 16)).toBe('a'.repeat(16));
  });

  it('truncates to code points and increments the last one', () => {
    expect(truncateLowerString('abcdefghijklmnopqrstuvwxyz', 16)).toBe('abcdefghijklmnop');
    expect(truncateUpperString('abcdefghijklmnopqrstuvwxyz', 16)).toBe('abcdefghijklmnoq');
    expect(truncateUpperString('abz', 2)).toBe('ac');
  });

  it('counts astral characters once and increments them whole', () => {
    const s = '😀😀😀';
    expect(truncateLowerString(s, 2)).toBe('😀😀');
    expect(truncateUpperString(s, 2)).toBe('😀😁');
    expect(truncateLowerString('a😀b', 2)).toBe('a😀');
    expect(Array.from(truncateLowerString('😀'.repeat(20), 16))).toHaveLength(16);
  });

  it('skips the surrogate range', () => {
    expect(truncateUpperString('a\uD7FFz', 2)).toBe('a\uE000');
  });

  it('drops code points at U+10FFFF and carries left', () => {
    const max = String.fromCodePoint(0x10ffff);
    expect(truncateUpperString(`a${max}${max}`, 2)).toBe('b');
    expect(truncateUpperString(`${max}${max}${max}`, 2)).toBeUndefined();
  });

  it('upper bound is above every string with the prefix, compared as UTF-8', () => {
    const inputs = [
      'abcdefghijklmnopq',
      'zz\uD7FF\uD7FFxyz',
      `x${String.fromCodePoint(0x10ffff)}y`,
      'ü😀ü😀ü',
    ];
    for (const s of inputs) {
      const upper = truncateUpperString(s, 2);
      expect(upper).toBeDefined();
      expect(Buffer.compare(Buffer.from(upper!), Buffer.from(s))).toBe(1);
      const lower = truncateLowerString(s, 2);
      expect(Buffer.compare(Buffer.from(lower), Buffer.from(s))).toBe(-1);
    }
  });

  it('boundsForStrings', () => {
    expect(boundsForStrings('aaaaaaaaaaaaaaaaaaaa', 'zzzzzzzzzzzzzzzzzzzz')).toEqual({
      lower: 'aaaaaaaaaaaaaaaa',
      upper: 'zzzzzzzzzzzzzzz{',
    });
    expect(boundsForStrings('a', 'b')).toEqual({ lower: 'a', upper: 'b' });
    const max = String.fromCodePoint(0x10ffff).repeat(3);
    expect(boundsForStrings('a', max, 2)).toEqual({ lower: 'a' });
  });
});

describe('binary bound truncation (Java BinaryUtil)', () => {
  const b = (...xs: number[]) => new Uint8Array(xs);

  it('truncates and increments the last byte that is not 0xff', () => {
    expect(truncateLowerBinary(b(1, 2, 3), 2)).toEqual(b(1, 2));
    expect(truncateUpperBinary(b(1, 2, 3), 2)).toEqual(b(1, 3));
    expect(truncateUpperBinary(b(1, 0xff, 3), 2)).toEqual(b(2));
    expect(truncateUpperBinary(b(0xff, 0xff, 3), 2)).toBeUndefined();
    expect(truncateUpperBinary(b(1, 2), 2)).toEqual(b(1, 2));
  });

  it('does not modify its input', () => {
    const input = b(1, 2, 3);
    truncateUpperBinary(input, 2);
    expect(input).toEqual(b(1, 2, 3));
  });

  it('boundsForBinary', () => {
    expect(boundsForBinary(b(0, 0, 0), b(9, 9, 9), 2)).toEqual({ lower: b(0, 0), upper: b(9, 10) });
    expect(boundsForBinary(b(0), b(0xff, 0xff, 0xff), 2)).toEqual({ lower: b(0) });
  });
});
