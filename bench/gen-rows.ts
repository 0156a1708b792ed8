/**
 * The benchmark's 10 mixed-type columns, generated deterministically and lazily (a generator,
 * so the input itself never occupies memory). bench/pyiceberg_append.py generates the same
 * columns with pyarrow for the PyIceberg side.
 */
export const BENCH_FIELDS = [
  { name: 'id', type: 'long' },
  { name: 'qty', type: 'int' },
  { name: 'price', type: 'double' },
  { name: 'name', type: 'string' },
  { name: 'active', type: 'boolean' },
  { name: 'day', type: 'date' },
  { name: 'ts', type: 'timestamp' },
  { name: 'amount', type: 'decimal(18,4)' },
  { name: 'category', type: 'string' },
  { name: 'ref', type: 'long' },
] as const;

const CATEGORIES = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
const BASE_MS = Date.UTC(2024, 0, 1);

export function* benchRows(count: number, start = 0): Generator<Record<string, unknown>> {
  for (let k = 0; k < count; k++) {
    const i = start + k;
    const ms = BASE_MS + i * 1000;
    yield {
      id: i,
      qty: i % 1000,
      price: (i % 10_000) / 7,
      name: `name-${i}`,
      active: i % 3 === 0,
      day: new Date(BASE_MS + (i % 365) * 86_400_000).toISOString().slice(0, 10),
      ts: new Date(ms).toISOString().slice(0, 19),
      amount: `${Math.floor(i / 10)}.${String(i % 10_000).padStart(4, '0')}`,
      category: CATEGORIES[i % CATEGORIES.length],
      ref: i * 7,
    };
  }
}
