/** `floe table read --where`: the filter text becomes the scan's expression (so it prunes), or a clear error. */
import { describe, expect, it } from 'vitest';
import { parseFilter, where } from '../../src/iceberg/index.js';

describe('parseFilter', () => {
  it('parses comparisons, IS NULL, IN, AND/OR/NOT and parentheses with SQL precedence', () => {
    expect(parseFilter("status = 'Active'")).toEqual(where.eq('status', 'Active'));
    expect(parseFilter("a >= 10 AND (b <> 'x' OR c IS NOT NULL)")).toEqual(
      where.and(where.gte('a', 10), where.or(where.ne('b', 'x'), where.notNull('c'))),
    );
    expect(parseFilter('a = 1 OR b = 2 AND c = 3')).toEqual(
      where.or(where.eq('a', 1), where.and(where.eq('b', 2), where.eq('c', 3))),
    );
    expect(parseFilter("owner NOT IN ('a', 'b''s')")).toEqual(where.not(where.in('owner', ['a', "b's"])));
    expect(parseFilter('NOT archived = true')).toEqual(where.not(where.eq('archived', true)));
    expect(parseFilter('"odd name" < -1.5e3 and x is null')).toEqual(
      where.and(where.lt('odd name', -1500), where.isNull('x')),
    );
    // Integers beyond 2^53 keep every digit (as text, cast to the column's type later).
    expect(parseFilter('id = 9223372036854775807')).toEqual(where.eq('id', '9223372036854775807'));
  });

  it('says what is wrong and where', () => {
    expect(() => parseFilter('')).toThrow(/it is empty/);
    expect(() => parseFilter("status = 'Active")).toThrow(/unclosed ' at position 10/);
    expect(() => parseFilter('status ~ 1')).toThrow(/unexpected "~" at position 8/);
    expect(() => parseFilter('a = 1 b = 2')).toThrow(/unexpected "b" at position 7/);
    expect(() => parseFilter('a IN (1, 2')).toThrow(/expected "\)"/);
    expect(() => parseFilter('= 1')).toThrow(/expected a column name/);
  });
});
