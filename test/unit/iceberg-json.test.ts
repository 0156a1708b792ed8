/** BigInt-safe JSON: the fast serializer must write exactly what the exact (lossless) one writes. */
import { stringify as losslessStringify } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { parseJson, stringifyJson } from '../../src/iceberg/util/json.js';

describe('stringifyJson', () => {
  it('writes bigints as bare numbers and everything else as JSON.stringify would', () => {
    const v = {
      id: 9007199254740993n,
      neg: -9223372036854775808n,
      list: [1, 2.5, 1e21, 1.5e-7, null, true],
      text: 'quote " backslash \\ nul \u0000 line \u2028 é',
      nested: { seq: 12345678901234567890n },
    };
    const out = stringifyJson(v, 2);
    expect(out).toBe(losslessStringify(v, undefined, 2));
    expect(parseJson(out)).toEqual(v);
  });

  it('a string or key that looks like its internal marker takes the exact path, unchanged', () => {
    const marker = '\u0000floe-bigint:42';
    const v = { [marker]: marker, big: 7n, s: `x${marker}` };
    const out = stringifyJson(v);
    expect(out).toBe(losslessStringify(v));
    expect(parseJson(out)).toEqual({ [marker]: marker, big: 7, s: `x${marker}` });
  });
});
