/**
 * floe's side of the commit-latency benchmark (bench/commit-latency.bench.ts), in its own process.
 * argv: DIR COMMITS ROWS_PER_COMMIT → JSON {commits_s: [seconds per commit], metadata_files,
 * metadata_log, snapshots, peak_rss_mb}. One table, metadata cleanup on
 * (write.metadata.delete-after-commit.enabled=true, write.metadata.previous-versions-max=10),
 * COMMITS appends of ROWS_PER_COMMIT rows (bench/gen-rows.ts), each timed from the call to the
 * committed snapshot (data file write included).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTable, SqlCatalog } from '../src/iceberg/index.js';
import { BENCH_FIELDS, benchRows } from './gen-rows.js';

const [dir, commitsArg, rowsArg] = process.argv.slice(2);
const commits = Number(commitsArg ?? 1000);
const rows = Number(rowsArg ?? 10);
const catalog = new SqlCatalog({
  name: 'bench',
  path: join(dir!, 'floe.db'),
  warehouse: join(dir!, 'floe-wh'),
});
await catalog.createNamespace(['bench']);
const t = await createTable(catalog, 'bench.commits', {
  schema: BENCH_FIELDS.map((f) => ({ ...f })),
  properties: {
    'write.metadata.delete-after-commit.enabled': 'true',
    'write.metadata.previous-versions-max': '10',
  },
});
const perCommit: number[] = [];
for (let i = 0; i < commits; i++) {
  const t0 = performance.now();
  await t.append(benchRows(rows, i * rows));
  perCommit.push((performance.now() - t0) / 1000);
}
const metadataDir = join(dir!, 'floe-wh', 'bench', 'commits', 'metadata');
const metadataFiles = readdirSync(metadataDir).filter((f) => f.endsWith('.metadata.json')).length;
await catalog.close();
process.stdout.write(
  JSON.stringify({
    commits_s: perCommit,
    metadata_files: metadataFiles,
    metadata_log: t.metadata['metadata-log'].length,
    snapshots: t.metadata.snapshots.length,
    total_records: Number(t.currentSnapshot()?.summary['total-records'] ?? -1),
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  }),
);
