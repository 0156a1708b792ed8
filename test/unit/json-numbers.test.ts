import { describe, expect, it } from 'vitest';
import { isJsonNumber, JsonNumber, parseJsonPreservingNumbers } from '../../src/util/json-numbers.js';

const kept = (text: string) => {
  const v = parseJsonPreservingNumbers(`{"v":${text}}`) as { v: unknown };
  return v.v;
};

describe('parseJsonPreservingNumbers', () => {
  it.each([
    ['9007199254740993', 'integer'],
    ['-9007199254740993', 'integer'],
    ['9007199254740992', 'integer'],
    ['9223372036854775807', 'integer'],
    ['-9223372036854775808', 'integer'],
    ['123456789012345678901234567890', 'integer'],
    ['1.0', 'float'],
    ['-0.0', 'float'],
    ['1e308', 'float'],
    ['1E+2', 'float'],
    ['2.000', 'float'],
    ['1e400', 'float'],
  ])('%s is kept as written (%s)', (text, kind) => {
    const v = kept(text);
    expect(isJsonNumber(v)).toBe(true);
    expect((v as JsonNumber).text).toBe(text);
    expect((v as JsonNumber).kind).toBe(kind);
  });

  it.each([
    ['9007199254740991', 9007199254740991],
    ['-9007199254740991', -9007199254740991],
    ['123', 123],
    ['-0', -0],
    ['1.5', 1.5],
    ['1.5e-7', 1.5e-7],
    ['0.1', 0.1],
    ['2.05', 2.05],
  ])('%s is a plain number (a double holds it exactly as written)', (text, value) => {
    expect(kept(text)).toBe(value);
  });

  it('leaves strings alone, escapes and digits inside strings included', () => {
    const text = '{"a":"9007199254740993","b":"x\\"1.0\\"","c":[1.0,"1.0",{"d":9999999999999999999}]}';
    const v = parseJsonPreservingNumbers(text) as { a: string; b: string; c: unknown[] };
    expect(v.a).toBe('9007199254740993');
    expect(v.b).toBe('x"1.0"');
    expect(isJsonNumber(v.c[0])).toBe(true);
    expect(v.c[1]).toBe('1.0');
    expect(String((v.c[2] as { d: unknown }).d)).toBe('9999999999999999999');
  });

  it('a string ending in an escaped backslash ends there; the number after it is found', () => {
    const text = String.raw`{"a":"x\\","b":9007199254740993,"c":"\\\"9007199254740993"}`;
    const v = parseJsonPreservingNumbers(text) as { a: string; b: unknown; c: string };
    expect(v.a).toBe('x\\');
    expect(String(v.b)).toBe('9007199254740993');
    expect(v.c).toBe('\\"9007199254740993');
  });

  it('a page without such numbers parses exactly like JSON.parse', () => {
    const text = '{"data":[{"id":"A","n":1,"f":0.25,"t":true,"z":null,"l":[1,2,3]}],"next":"tok"}';
    expect(parseJsonPreservingNumbers(text)).toEqual(JSON.parse(text));
  });

  it('invalid JSON still throws SyntaxError', () => {
    expect(() => parseJsonPreservingNumbers('{"a":1.0')).toThrow(SyntaxError);
    expect(() => parseJsonPreservingNumbers('{"a":')).toThrow(SyntaxError);
  });

  it('a JsonNumber behaves as its number in arithmetic and as its text in strings', () => {
    const n = new JsonNumber('9007199254740993', 'integer');
    expect(`${n}`).toBe('9007199254740993');
    expect(Number(n) + 0).toBe(9007199254740992);
    expect(JSON.stringify({ n })).toBe('{"n":"9007199254740993"}');
    expect(JSON.stringify({ f: new JsonNumber('1.0', 'float') })).toBe('{"f":1}');
  });
});
