import { describe, expect, it } from 'vitest';
import { isTypedItem, normalizeItem, toTypedItem } from '../../src/config/index.js';

describe('DynamoDB typed JSON detection', () => {
  it('recognises typed items of every attribute type', () => {
    const typed = {
      s: { S: 'x' },
      n: { N: '3.5' },
      b: { BOOL: false },
      nul: { NULL: true },
      m: { M: { inner: { L: [{ S: 'a' }, { N: '1' }] } } },
      ss: { SS: ['id', 'name'] },
    };
    expect(isTypedItem(typed)).toBe(true);
    expect(normalizeItem(typed)).toEqual({
      s: 'x',
      n: 3.5,
      b: false,
      nul: null,
      m: { inner: ['a', 1] },
      ss: ['id', 'name'],
    });
  });

  it('does not mistake plain items for typed ones', () => {
    expect(isTypedItem({ configId: 'x' })).toBe(false);
    // Looks typed at a glance, but payload shapes are wrong.
    expect(isTypedItem({ S: { S: 1 } })).toBe(false);
    expect(isTypedItem({ a: { N: 'not a number' } })).toBe(false);
    expect(isTypedItem({ a: { M: { b: 'plain' } } })).toBe(false);
    // One plain attribute among typed ones: not a typed item.
    expect(isTypedItem({ a: { S: 'x' }, b: 'plain' })).toBe(false);
    expect(isTypedItem({})).toBe(false);
    expect(isTypedItem([{ S: 'x' }])).toBe(false);
    const plain = { configId: 'x', destination: { primaryKey: ['id'] } };
    expect(normalizeItem(plain)).toBe(plain);
  });

  it('round-trips through toTypedItem', () => {
    const item = { configId: 'x', destination: { primaryKey: ['id'], dropExtraColumns: false, n: 2 } };
    const typed = toTypedItem(item);
    expect(typed.configId).toEqual({ S: 'x' });
    expect(isTypedItem(typed)).toBe(true);
    expect(normalizeItem(typed)).toEqual(item);
  });
});
