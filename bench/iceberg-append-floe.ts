/**
 * floe's side of the append benchmark, in its own process so its peak RSS is its own.
 * argv: dir rows smallAppends smallRows → prints JSON like bench/pyiceberg_append.py.
 */
import { join } from 'node:path';
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
    small_appends_s: perCommit,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  }),
);
