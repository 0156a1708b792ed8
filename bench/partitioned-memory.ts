/**
 * Peak memory and time of a first load into a partitioned table, one step per process so each
 * step's peak RSS (getrusage maxrss) is its own:
 *   prepare DIR ROWS                 writes DIR/rows.ndjson: ROWS of bench/merge-data.ts's
 *                                    20-column rows (untimed)
 *   write   DIR ROWS PARTITION [sorted]
 *                                    creates a table partitioned by PARTITION (`bucketN`:
 *                                    bucket(N, id); `day`: day(updated_at); `none`: not
 *                                    partitioned, for comparison), sorted by id with
 *                                    `sorted`, and appends DIR/rows.ndjson (the L1 path: NDJSON
 *                                    input), timed
 * Prints one JSON object. Run with the default DuckDB settings (FLOE_DUCKDB_MEMORY unset: 256MB).
 *   npx tsx bench/partitioned-memory.ts prepare /tmp/pm 2000000
 *   npx tsx bench/partitioned-memory.ts write /tmp/pm 2000000 bucket16 sorted
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createTable, SqlCatalog } from '../src/iceberg/index.js';
import { mergeFields, mergeRowsSql, writeInputs } from './merge-data.js';

const [step, dir, rowsArg, partition, layout] = process.argv.slice(2);
const rows = Number(rowsArg ?? 2_000_000);
const out: Record<string, unknown> = {};
if (step === 'prepare') {
  await writeInputs(mergeRowsSql(`SELECT * FROM range(${rows})`), { ndjson: join(dir!, 'rows.ndjson') });
  out.prepared = rows;
} else if (step === 'write') {
  rmSync(join(dir!, 'floe.db'), { force: true });
  rmSync(join(dir!, 'floe-wh'), { recursive: true, force: true });
  const catalog = new SqlCatalog({
    name: 'bench',
    path: join(dir!, 'floe.db'),
    warehouse: join(dir!, 'floe-wh'),
  });
  await catalog.createNamespace(['bench']);
  const t = await createTable(catalog, 'bench.tasks', {
    schema: mergeFields(),
    ...(partition === 'none'
      ? {}
      : {
          partitionBy:
            partition === 'day'
              ? [{ source: 'updated_at', transform: 'day' }]
              : [
                  {
                    source: 'id',
                    transform: `bucket[${Number(/^bucket(\d+)$/.exec(partition ?? '')?.[1] ?? 16)}]`,
                  },
                ],
        }),
    ...(layout === 'sorted' ? { sortBy: [{ source: 'id' }] } : {}),
  });
  const t0 = performance.now();
  const r = await t.append({ ndjson: join(dir!, 'rows.ndjson') }, { expectedRows: rows });
  out.seconds = (performance.now() - t0) / 1000;
  out.records = Number(r.records);
  out.data_files = r.dataFiles;
  await catalog.close();
} else {
  throw new Error(`unknown step ${step}`);
}
out.peak_rss_mb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify(out)}\n`);
