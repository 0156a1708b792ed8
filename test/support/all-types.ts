/**
 * The interop fixture: a schema with every Iceberg type floe writes (nested struct, list, map
 * included) and deterministic rows exercising nulls, unicode, decimals at several precisions,
 * µs timestamps, empty lists and maps. `time` is kept in a separate schema because Spark has no
 * TIME type and refuses tables that contain one.
 */
import type { FieldInput } from '../../src/iceberg/index.js';

export const ALL_TYPES: FieldInput[] = [
  { name: 'id', type: 'long', required: false },
  { name: 'flag', type: 'boolean' },
  { name: 'small', type: 'int' },
  { name: 'ratio', type: 'float' },
  { name: 'score', type: 'double' },
  { name: 'price', type: 'decimal(9,2)' },
  { name: 'amount', type: 'decimal(18,4)' },
  { name: 'huge', type: 'decimal(38,10)' },
  { name: 'day', type: 'date' },
  { name: 'ts', type: 'timestamp' },
  { name: 'tstz', type: 'timestamptz' },
  { name: 'name', type: 'string' },
  { name: 'payload', type: 'binary' },
  {
    name: 'owner',
    type: {
      type: 'struct',
      fields: [
        { name: 'login', type: 'string' },
        { name: 'level', type: 'int' },
        {
          name: 'address',
          type: {
            type: 'struct',
            fields: [
              { name: 'city', type: 'string' },
              { name: 'zip', type: 'string' },
            ],
          },
        },
      ],
    },
  },
  { name: 'tags', type: { type: 'list', element: 'string' } },
  {
    name: 'points',
    type: {
      type: 'list',
      element: {
        type: 'struct',
        fields: [
          { name: 'x', type: 'double' },
          { name: 'y', type: 'double' },
        ],
      },
    },
  },
  { name: 'attrs', type: { type: 'map', key: 'string', value: 'long' } },
];

const NAMES = [
  'Zoë',
  'Łukasz',
  '東京',
  'naïve café',
  'emoji 🧊🔥',
  'plain',
  'quote\'s "double"',
  'a'.repeat(40),
];

export function allTypesRow(i: number): Record<string, unknown> {
  const nullish = i % 11 === 5; // every 11th row is mostly null
  const micros = 1_700_000_000_000_000n + BigInt(i) * 3_600_000_123n; // µs precision matters
  const tsIso = (us: bigint) => {
    const ms = Number(us / 1000n);
    const frac = String(us % 1_000_000n).padStart(6, '0');
    return `${new Date(ms).toISOString().slice(0, 19)}.${frac}`;
  };
  return {
    id: BigInt(i) * 1_000_000_007n - 5_000_000_000n,
    flag: nullish ? null : i % 2 === 0,
    small: nullish ? null : ((i * 7919) % 65_536) - 32_768,
    ratio: nullish ? null : i / 8,
    score: i % 13 === 0 ? -0.5 * i : i * 1.1,
    price: nullish ? null : `${(i * 37) % 10_000}.${String(i % 100).padStart(2, '0')}`,
    amount: `${i % 2 ? '-' : ''}${i * 1_234_567}.${String((i * 31) % 10_000).padStart(4, '0')}`,
    huge: `${'9'.repeat(20 + (i % 8))}.${String(i).padStart(10, '0')}`,
    day: new Date(Date.UTC(1969, 11, 25) + i * 86_400_000 * 17).toISOString().slice(0, 10),
    ts: tsIso(micros),
    tstz: `${tsIso(micros + 1n)}+00:00`,
    name: nullish ? null : `${NAMES[i % NAMES.length]}-${i}`,
    payload: nullish ? null : new Uint8Array([i % 256, 0, 255, (i * 3) % 256]),
    owner: nullish
      ? null
      : {
          login: `user${i}`,
          level: i % 5,
          address: i % 3 === 0 ? null : { city: NAMES[(i + 1) % NAMES.length], zip: String(10_000 + i) },
        },
    tags:
      i % 4 === 0
        ? []
        : nullish
          ? null
          : Array.from({ length: i % 4 }, (_, k) => (k === 1 ? null : `t${k}-${i}`)),
    points: i % 5 === 0 ? [] : [{ x: i, y: -i / 4 }],
    attrs: i % 6 === 0 ? {} : nullish ? null : { a: BigInt(i), b: BigInt(-i * 1000) },
  };
}

export const TIME_TYPES: FieldInput[] = [
  { name: 'id', type: 'int' },
  { name: 't', type: 'time' },
];

export function timeRow(i: number): Record<string, unknown> {
  return {
    id: i,
    t: `${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:07.${String(i * 1001)
      .padStart(6, '0')
      .slice(-6)}`,
  };
}
