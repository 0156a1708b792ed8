/**
 * floe's side of the upsert benchmark (bench/merge-upsert.bench.ts), one step per process so each
 * step's peak RSS is its own:
 *   load   DIR TABLE MODE [sorted]     creates TABLE (write.merge.mode = MODE; `sorted`: with sort
 *                                     order id) and appends DIR/base.parquet (the first write; its
 *                                     time and peak RSS are reported, the upsert is timed apart)
 *   upsert DIR TABLE EXPECTED_ROWS     merges DIR/upsert.ndjson by id (the L1 path: NDJSON input,
 *                                     keys [id], orderBy updated_at), timed
 * Prints one JSON object. The catalog is DIR/floe.db, the warehouse DIR/floe-wh.
 */
import { join } from 'node:path';
import { sqlString, withDuck } from '../src/duck/session.js';
import { createTable, loadTable, SqlCatalog } from '../src/iceberg/index.js';
import { liveRecords } from '../src/iceberg/spec/metadata.js';
import { mergeFields } from './merge-data.js';

const [step, dir, table, arg, layout] = process.argv.slice(2);
const catalog = new SqlCatalog({
  name: 'bench',
  path: join(dir!, 'floe.db'),
  warehouse: join(dir!, 'floe-wh'),
});
const out: Record<string, unknown> = {};
if (step === 'load') {
  if (!(await catalog.namespaceExists(['bench']))) await catalog.createNamespace(['bench']);
  const t = await createTable(catalog, `bench.${table}`, {
    schema: mergeFields(),
    properties: { 'write.merge.mode': arg! },
    ...(layout === 'sorted' ? { sortBy: [{ source: 'id' }] } : {}),
  });
  const t0 = performance.now();
  const r = await t.appendQuery(`SELECT * FROM read_parquet(${sqlString(join(dir!, 'base.parquet'))})`);
  out.seconds = (performance.now() - t0) / 1000;
  out.records = Number(r.records);
  out.data_files = r.dataFiles;
} else if (step === 'upsert') {
  const t = await loadTable(catalog, `bench.${table}`);
  // Engine start-up (the process's DuckDB instance, ~50 ms) stays outside the timer, as the
  // peer's imports and table load do: the timer measures the upsert, not the process.
  await withDuck((d) => d.run('SELECT 1'));
  const t0 = performance.now();
  const r = await t.merge(
    { ndjson: join(dir!, 'upsert.ndjson') },
    { keys: ['id'], orderBy: 'updated_at', expectedRows: Number(arg) },
  );
  out.seconds = (performance.now() - t0) / 1000;
  const s = r.snapshot.summary;
  out.matched = Number(r.matchedRows);
  // Live rows: data rows less the rows position deletes remove (merge-on-read).
  out.total_records = Number(liveRecords(s));
  out.total_data_files = Number(s['total-data-files'] ?? -1);
  out.total_delete_files = Number(s['total-delete-files'] ?? 0);
  out.added_delete_files = Number(s['added-delete-files'] ?? 0);
  out.removed_data_files = Number(s['deleted-data-files'] ?? 0);
  out.merge_mode = t.metadata.properties['write.merge.mode'];
  // What actually happened: delete files mean merge-on-read, rewritten data files copy-on-write.
  out.applied = out.added_delete_files ? 'merge-on-read' : 'copy-on-write';
} else {
  throw new Error(`unknown step ${step}`);
}
await catalog.close();
out.peak_rss_mb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(JSON.stringify(out));
