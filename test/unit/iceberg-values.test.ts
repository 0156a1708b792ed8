import { describe, expect, it } from 'vitest';
import { FloeError } from '../../src/errors.js';
import type { IcebergType, PrimitiveType } from '../../src/iceberg/spec/types.js';
import {
  civilFromDays,
  daysFromCivil,
  floorDiv,
  formatDecimal,
  formatTimestamp,
  physicalToCanonical,
  stringifyCanonical,
  toCanonical,
  toPhysical,
} from '../../src/iceberg/spec/values.js';

function rejects(type: PrimitiveType, v: unknown, pattern: RegExp): void {
  let err: unknown;
  try {
    toPhysical(type, v);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(FloeError);
  expect((err as FloeError).kind).toBe('data-invalid');
  expect((err as FloeError).message).toContain(type);
  expect((err as FloeError).message).toMatch(pattern);
}

describe('calendar arithmetic', () => {
  it('maps civil dates to days and back', () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(2017, 11, 16)).toBe(17486);
    expect(daysFromCivil(1969, 12, 31)).toBe(-1);
    expect(daysFromCivil(1, 1, 1)).toBe(-719162);
    expect(daysFromCivil(9999, 12, 31)).toBe(2932896);
    expect(daysFromCivil(2000, 2, 29)).toBe(11016);
    for (const d of [-719162, -1, 0, 59, 11016, 17486, 2932896]) {
      const c = civilFromDays(d);
      expect(daysFromCivil(c.year, c.month, c.day)).toBe(d);
    }
  });

  it('agrees with Date.UTC for every day of a few leap-year boundaries', () => {
    for (let d = daysFromCivil(1899, 12, 1); d < daysFromCivil(1901, 3, 10); d++) {
      const iso = new Date(d * 86_400_000).toISOString().slice(0, 10);
      expect(toCanonical('date', d)).toBe(iso);
    }
    for (let d = daysFromCivil(1999, 12, 1); d < daysFromCivil(2001, 3, 10); d++) {
      expect(toCanonical('date', d)).toBe(new Date(d * 86_400_000).toISOString().slice(0, 10));
    }
  });

  it('floors division for negatives', () => {
    expect(floorDiv(-1n, 10n)).toBe(-1n);
    expect(floorDiv(-10n, 10n)).toBe(-1n);
    expect(floorDiv(-11n, 10n)).toBe(-2n);
    expect(floorDiv(11n, 10n)).toBe(1n);
  });
});

describe('toPhysical', () => {
  it('ints and longs from numbers, bigints and digit strings', () => {
    expect(toPhysical('int', 34)).toBe(34);
    expect(toPhysical('int', '-34')).toBe(-34);
    expect(toPhysical('int', 34n)).toBe(34);
    expect(toPhysical('long', 34)).toBe(34n);
    expect(toPhysical('long', '9223372036854775807')).toBe(9223372036854775807n);
    expect(toPhysical('long', -9223372036854775808n)).toBe(-9223372036854775808n);
    rejects('int', 2147483648, /out of range/);
    rejects('int', 1.5, /not an integer/);
    rejects('long', '9223372036854775808', /out of range/);
    rejects('long', '12abc', /integer/);
    rejects('long', true, /integer/);
  });

  it('null and undefined are null', () => {
    expect(toPhysical('int', null)).toBeNull();
    expect(toPhysical('string', undefined)).toBeNull();
  });

  it('booleans', () => {
    expect(toPhysical('boolean', true)).toBe(true);
    expect(toPhysical('boolean', 'false')).toBe(false);
    rejects('boolean', 1, /true or false/);
  });

  it('floats are binary32 values, doubles unchanged', () => {
    expect(toPhysical('double', 0.1)).toBe(0.1);
    expect(toPhysical('float', 0.1)).toBe(Math.fround(0.1));
    expect(toPhysical('float', 0.1)).not.toBe(0.1);
    expect(toPhysical('double', 'NaN')).toBeNaN();
    expect(toPhysical('double', '-Infinity')).toBe(-Infinity);
    expect(toPhysical('double', '1e3')).toBe(1000);
    expect(Object.is(toPhysical('double', -0), -0)).toBe(true);
    rejects('float', 1e39, /out of range/);
    rejects('double', 'abc', /number/);
  });

  it('dates from strings, Dates and day numbers', () => {
    expect(toPhysical('date', '2017-11-16')).toBe(17486);
    expect(toPhysical('date', '1969-12-31')).toBe(-1);
    expect(toPhysical('date', '0001-01-01')).toBe(-719162);
    expect(toPhysical('date', new Date('2017-11-16T23:59:59.999Z'))).toBe(17486);
    expect(toPhysical('date', new Date('1969-12-31T12:00:00Z'))).toBe(-1);
    expect(toPhysical('date', 17486)).toBe(17486);
    rejects('date', '2017-02-29', /YYYY-MM-DD/);
    rejects('date', '2017-13-01', /YYYY-MM-DD/);
    rejects('date', 'yesterday', /YYYY-MM-DD/);
  });

  it('times in microseconds', () => {
    expect(toPhysical('time', '22:31:08')).toBe(81_068_000_000n);
    expect(toPhysical('time', '00:00:00.000001')).toBe(1n);
    expect(toPhysical('time', '23:59:59.999999')).toBe(86_399_999_999n);
    // Beyond µs is truncated, as Java converts ns to µs.
    expect(toPhysical('time', '00:00:00.1234569')).toBe(123_456n);
    expect(toPhysical('time', '10:15')).toBe(36_900_000_000n);
    rejects('time', '24:00:00', /HH:MM:SS/);
    rejects('time', 86_400_000_000n, /out of range/);
  });

  it('timestamps exact to the microsecond, offsets converted to UTC', () => {
    expect(toPhysical('timestamp', '2017-11-16T22:31:08')).toBe(1_510_871_468_000_000n);
    expect(toPhysical('timestamptz', '2017-11-16T14:31:08-08:00')).toBe(1_510_871_468_000_000n);
    expect(toPhysical('timestamptz', '2017-11-16T22:31:08Z')).toBe(1_510_871_468_000_000n);
    expect(toPhysical('timestamptz', '2017-11-17T00:01:08+0130')).toBe(1_510_871_468_000_000n);
    expect(toPhysical('timestamp', '2017-11-16 22:31:08.000001')).toBe(1_510_871_468_000_001n);
    expect(toPhysical('timestamp', '1969-12-31T23:59:59.999999')).toBe(-1n);
    expect(toPhysical('timestamp', '1970-01-01')).toBe(0n);
    expect(toPhysical('timestamptz', new Date(-1))).toBe(-1000n);
    expect(toPhysical('timestamp', 5n)).toBe(5n);
    expect(toPhysical('timestamp', '0001-01-01T00:00:00')).toBe(-62_135_596_800_000_000n);
    expect(toPhysical('timestamp', '9999-12-31T23:59:59.999999')).toBe(253_402_300_799_999_999n);
    rejects('timestamptz', 'not a time', /ISO 8601/);
    rejects('timestamp', '2017-11-16T25:00:00', /ISO 8601/);
    rejects('timestamptz', new Date(Number.NaN), /invalid Date/);
  });

  it('decimals from strings and numbers, bigints as unscaled values', () => {
    expect(toPhysical('decimal(9, 2)', '14.20')).toBe(1420n);
    expect(toPhysical('decimal(9, 2)', '14.2')).toBe(1420n);
    expect(toPhysical('decimal(9, 2)', 14.2)).toBe(1420n);
    expect(toPhysical('decimal(9, 2)', '-0.5')).toBe(-50n);
    expect(toPhysical('decimal(9, 2)', '1.2e1')).toBe(1200n);
    expect(toPhysical('decimal(9, 2)', '12.3000')).toBe(1230n);
    expect(toPhysical('decimal(9, 2)', 1420n)).toBe(1420n);
    expect(toPhysical('decimal(38, 0)', '99999999999999999999999999999999999999')).toBe(10n ** 38n - 1n);
    rejects('decimal(9, 2)', '14.201', /more than 2 fractional digits/);
    rejects('decimal(9, 2)', 0.1 + 0.2, /fractional digits/);
    rejects('decimal(4, 2)', '100.00', /more than 4 digits/);
    rejects('decimal(4, 2)', 10000n, /more than 4 digits/);
    rejects('decimal(9, 2)', 'abc', /not a decimal/);
    rejects('decimal(9, 2)', Number.NaN, /finite/);
  });

  it('uuids canonical lowercase, from strings or 16 bytes', () => {
    expect(toPhysical('uuid', 'F79C3E09-677C-4BBD-A479-3F349CB785E7')).toBe(
      'f79c3e09-677c-4bbd-a479-3f349cb785e7',
    );
    expect(toPhysical('uuid', 'f79c3e09677c4bbda4793f349cb785e7')).toBe(
      'f79c3e09-677c-4bbd-a479-3f349cb785e7',
    );
    expect(toPhysical('uuid', Buffer.from('f79c3e09677c4bbda4793f349cb785e7', 'hex'))).toBe(
      'f79c3e09-677c-4bbd-a479-3f349cb785e7',
    );
    rejects('uuid', 'f79c3e09-677c', /UUID/);
  });

  it('binary and fixed from bytes or hex', () => {
    expect(toPhysical('binary', '00010203')).toEqual(new Uint8Array([0, 1, 2, 3]));
    expect(toPhysical('binary', Buffer.from([9]))).toEqual(new Uint8Array([9]));
    expect(toPhysical('fixed[2]', 'abcd')).toEqual(new Uint8Array([0xab, 0xcd]));
    rejects('fixed[2]', 'ab', /exactly 2 bytes/);
    rejects('binary', 'xyz', /hex/);
  });

  it('strings accept scalars', () => {
    expect(toPhysical('string', 'a')).toBe('a');
    expect(toPhysical('string', 12)).toBe('12');
    rejects('string', { a: 1 }, /string/);
  });

  it('is idempotent on physical values', () => {
    const cases: [PrimitiveType, unknown][] = [
      ['int', '7'],
      ['long', '7'],
      ['float', 0.1],
      ['date', '1969-01-01'],
      ['time', '01:02:03.4'],
      ['timestamp', '1900-01-01T00:00:00.5'],
      ['timestamptz', '2024-02-29T12:00:00+05:00'],
      ['decimal(10, 3)', '-1.5'],
      ['uuid', 'F79C3E09677C4BBDA4793F349CB785E7'],
      ['binary', 'ff00'],
    ];
    for (const [t, v] of cases) {
      const p = toPhysical(t, v);
      expect(toPhysical(t, p)).toEqual(p);
    }
  });
});

describe('canonical JSON', () => {
  it('formats every primitive', () => {
    expect(toCanonical('int', 34)).toBe(34);
    expect(toCanonical('long', 34n)).toBe(34);
    expect(toCanonical('long', 9223372036854775807n)).toBe(9223372036854775807n);
    expect(toCanonical('double', Number.NaN)).toBe('NaN');
    expect(toCanonical('double', Infinity)).toBe('Infinity');
    expect(toCanonical('float', -Infinity)).toBe('-Infinity');
    expect(toCanonical('double', 1.5)).toBe(1.5);
    expect(toCanonical('decimal(9, 2)', '12.3')).toBe('12.30');
    expect(toCanonical('decimal(9, 2)', -0.5)).toBe('-0.50');
    expect(toCanonical('decimal(9, 0)', 7)).toBe('7');
    expect(toCanonical('decimal(9, 3)', 5n)).toBe('0.005');
    expect(toCanonical('date', '2017-11-16')).toBe('2017-11-16');
    expect(toCanonical('time', '22:31:08')).toBe('22:31:08.000000');
    expect(toCanonical('timestamp', '2017-11-16T22:31:08.5')).toBe('2017-11-16T22:31:08.500000');
    expect(toCanonical('timestamptz', '2017-11-16T14:31:08-08:00')).toBe('2017-11-16T22:31:08.000000+00:00');
    expect(toCanonical('timestamptz', new Date('2024-01-02T03:04:05.678Z'))).toBe(
      '2024-01-02T03:04:05.678000+00:00',
    );
    expect(toCanonical('uuid', 'F79C3E09-677C-4BBD-A479-3F349CB785E7')).toBe(
      'f79c3e09-677c-4bbd-a479-3f349cb785e7',
    );
    expect(toCanonical('binary', new Uint8Array([0, 0xab]))).toBe('00ab');
    expect(toCanonical('fixed[3]', Buffer.from([1, 2, 3]))).toBe('010203');
    expect(toCanonical('string', null)).toBeNull();
  });

  it('formats negative epochs and the edges of years 0001-9999 exactly', () => {
    expect(formatTimestamp(-1n, false)).toBe('1969-12-31T23:59:59.999999');
    expect(formatTimestamp(-86_400_000_001n, true)).toBe('1969-12-30T23:59:59.999999+00:00');
    expect(toCanonical('timestamp', -62_135_596_800_000_000n)).toBe('0001-01-01T00:00:00.000000');
    expect(toCanonical('timestamp', 253_402_300_799_999_999n)).toBe('9999-12-31T23:59:59.999999');
    expect(toCanonical('date', -719162)).toBe('0001-01-01');
    expect(toCanonical('date', '1600-02-29')).toBe('1600-02-29');
  });

  it('round-trips canonical text through toPhysical', () => {
    const cases: [PrimitiveType, string][] = [
      ['date', '1583-10-15'],
      ['time', '00:00:00.000001'],
      ['timestamp', '1969-07-20T20:17:40.123456'],
      ['timestamptz', '1901-12-13T20:45:52.999999+00:00'],
      ['decimal(38, 10)', '-1234567890123456789012345678.0123456789'],
      ['uuid', '00000000-0000-0000-0000-000000000000'],
    ];
    for (const [t, text] of cases) expect(toCanonical(t, text)).toBe(text);
  });

  it('formats decimals with exactly S digits', () => {
    expect(formatDecimal(0n, 2)).toBe('0.00');
    expect(formatDecimal(-1n, 3)).toBe('-0.001');
    expect(formatDecimal(123n, 0)).toBe('123');
  });

  it('converts nested values: struct fields in schema order, lists, maps as pairs', () => {
    const type: IcebergType = {
      type: 'struct',
      fields: [
        { id: 2, name: 'b', required: false, type: 'timestamptz' },
        { id: 1, name: 'a', required: false, type: 'long' },
        {
          id: 3,
          name: 'tags',
          required: false,
          type: { type: 'list', 'element-id': 4, element: 'decimal(5, 1)', 'element-required': false },
        },
        {
          id: 5,
          name: 'm',
          required: false,
          type: {
            type: 'map',
            'key-id': 6,
            key: 'int',
            'value-id': 7,
            value: 'date',
            'value-required': false,
          },
        },
      ],
    };
    const out = toCanonical(type, {
      a: '5',
      extra: 'ignored',
      b: '1970-01-01T00:00:00Z',
      tags: [1, null, '2.5'],
      m: { '1': '2024-01-02', '2': null },
    });
    expect(out).toEqual({
      b: '1970-01-01T00:00:00.000000+00:00',
      a: 5,
      tags: ['1.0', null, '2.5'],
      m: [
        [1, '2024-01-02'],
        [2, null],
      ],
    });
    expect(Object.keys(out as object)).toEqual(['b', 'a', 'tags', 'm']);
    expect(toCanonical(type, { a: 1 })).toEqual({ b: null, a: 1, tags: null, m: null });
    const mapType: IcebergType = {
      type: 'map',
      'key-id': 1,
      key: 'string',
      'value-id': 2,
      value: 'binary',
      'value-required': false,
    };
    expect(toCanonical(mapType, new Map([['k', new Uint8Array([1])]]))).toEqual([['k', '01']]);
    expect(toCanonical(mapType, [{ key: 'k', value: 'ff' }])).toEqual([['k', 'ff']]);
  });

  it('physicalToCanonical rejects non-physical values', () => {
    expect(physicalToCanonical('timestamp', 0n)).toBe('1970-01-01T00:00:00.000000');
    expect(() => physicalToCanonical('date', '2024-01-01')).toThrow(FloeError);
    expect(() => physicalToCanonical('decimal(9, 2)', '1.00')).toThrow(FloeError);
  });

  it('stringifies bigints as JSON numbers', () => {
    expect(stringifyCanonical({ a: 9223372036854775807n, b: [1.5, 'NaN', null], c: true })).toBe(
      '{"a":9223372036854775807,"b":[1.5,"NaN",null],"c":true}',
    );
  });

  it('errors name the type and the value', () => {
    try {
      toCanonical('decimal(4, 2)', '123.45');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FloeError);
      expect((e as FloeError).message).toBe(
        'cannot convert "123.45" to decimal(4, 2): more than 4 digits; round the value or widen the column',
      );
      expect((e as FloeError).context).toMatchObject({ type: 'decimal(4, 2)', value: '"123.45"' });
    }
  });
});
