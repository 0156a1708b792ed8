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

// Day strings are precomputed: formatting dates per row would dominate the generator's cost.
const DAYS = Array.from({ length: 4000 }, (_, d) =>
  new Date(BASE_MS + d * 86_400_000).toISOString().slice(0, 10),
);
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

export function* benchRows(count: number, start = 0): Generator<Record<string, unknown>> {
  for (let k = 0; k < count; k++) {
    const i = start + k;
    const secs = i % 86_400;
    yield {
      id: i,
      qty: i % 1000,
      price: (i % 10_000) / 7,
      name: `name-${i}`,
      active: i % 3 === 0,
      day: DAYS[i % 365],
      ts: `${DAYS[Math.floor(i / 86_400)]}T${pad2(Math.floor(secs / 3600))}:${pad2(Math.floor(secs / 60) % 60)}:${pad2(secs % 60)}`,
      amount: `${Math.floor(i / 10)}.${String(i % 10_000).padStart(4, '0')}`,
      category: CATEGORIES[i % CATEGORIES.length],
      ref: i * 7,
    };
  }
}
