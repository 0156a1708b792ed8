/**
 * floe's side of the append benchmark, in its own process so its peak RSS is its own.
 * argv: dir rows smallAppends smallRows → prints JSON like bench/pyiceberg_append.py.
 */
import { join } from 'node:path';
import { withDuck } from '../src/duck/session.js';
import { createTable, SqlCatalog } from '../src/iceberg/index.js';
import { BENCH_FIELDS, benchRows } from './gen-rows.js';

const [dir, rowsArg, smallArg, smallRowsArg] = process.argv.slice(2);
const rows = Number(rowsArg ?? 1_000_000);
const small = Number(smallArg ?? 200);
const smallRows = Number(smallRowsArg ?? 100);
const catalog = new SqlCatalog({
  name: 'bench',
  path: join(dir!, 'floe.db'),
  warehouse: join(dir!, 'floe-wh'),
});
await catalog.createNamespace(['bench']);

const big = await createTable(catalog, 'bench.big', { schema: BENCH_FIELDS.map((f) => ({ ...f })) });
let t0 = performance.now();
await big.append(benchRows(rows));
const appendSeconds = (performance.now() - t0) / 1000;

// The columnar path, like PyIceberg's Arrow input: the same rows already in DuckDB (built
// before the timer, as PyIceberg's Arrow table is), appended by one COPY.
await withDuck((duck) =>
  duck.run(`CREATE OR REPLACE TABLE bench_src AS SELECT i AS id, (i % 1000)::INTEGER AS qty, (i % 10000)::DOUBLE / 7 AS price,
    'name-' || i AS name, i % 3 = 0 AS active, DATE '2024-01-01' + (i % 365)::INTEGER AS day,
    TIMESTAMP '2024-01-01' + to_seconds(i) AS ts, (i // 10 + (i % 10000) / 10000)::DECIMAL(18,4) AS amount,
    ['alpha','beta','gamma','delta','epsilon','zeta','eta','theta'][i % 8 + 1] AS category, i * 7 AS ref
    FROM range(${rows}) t(i)`),
);
const columnar = await createTable(catalog, 'bench.columnar', {
  schema: BENCH_FIELDS.map((f) => ({ ...f })),
});
t0 = performance.now();
await columnar.appendQuery('SELECT * FROM bench_src');
const columnarSeconds = (performance.now() - t0) / 1000;
await withDuck((duck) => duck.run('DROP TABLE bench_src'));

const many = await createTable(catalog, 'bench.small', { schema: BENCH_FIELDS.map((f) => ({ ...f })) });
const perCommit: number[] = [];
for (let i = 0; i < small; i++) {
  t0 = performance.now();
  await many.append(benchRows(smallRows, i * smallRows));
  perCommit.push((performance.now() - t0) / 1000);
}
await catalog.close();
process.stdout.write(
  JSON.stringify({
    append_1m_s: appendSeconds,
    append_columnar_s: columnarSeconds,
    small_appends_s: perCommit,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  }),
);
