/**
 * floe's side of the nightly-sync benchmark (bench/nightly-merge.bench.ts), in its own processes
 * so peak RSS is floe's alone:
 *   load   DIR MODE              creates bench.nightly (write.merge.mode = MODE), appends
 *                               DIR/base.parquet (one COPY; untimed by the bench)
 *   series DIR RUNS ROWS_PER_RUN  merges DIR/run-1.ndjson … DIR/run-RUNS.ndjson in turn (the L1
 *                               path: NDJSON, keys [id], orderBy updated_at), timing each; then
 *                               compacts if src/iceberg/maintenance/compact.js offers a compaction,
 *                               and merges DIR/run-after.ndjson once more if it did.
 * Prints one JSON object.
 *
 * Compaction contract assumed (the module is being written on another branch): the module exports
 * an async function `compact`, `compactTable` or `rewriteDataFiles` taking the Table handle
 * (further arguments optional). Absent module or export: skipped, and the reason is printed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTable, loadTable, SqlCatalog, type Table } from '../src/iceberg/index.js';
import { liveRecords } from '../src/iceberg/spec/metadata.js';
import { mergeFields } from './merge-data.js';

const [step, dir, a1, a2] = process.argv.slice(2);
const catalog = new SqlCatalog({
  name: 'bench',
  path: join(dir!, 'floe.db'),
  warehouse: join(dir!, 'floe-wh'),
});
const out: Record<string, unknown> = {};

async function mergeRun(t: Table, file: string, expectedRows: number) {
  const t0 = performance.now();
  const r = await t.merge({ ndjson: file }, { keys: ['id'], orderBy: 'updated_at', expectedRows });
  const seconds = (performance.now() - t0) / 1000;
  const s = r.snapshot.summary;
  return {
    seconds,
    matched: Number(r.matchedRows),
    total_records: Number(liveRecords(s)), // data rows less position-deleted rows
    data_files: Number(s['total-data-files'] ?? -1),
    delete_files: Number(s['total-delete-files'] ?? 0),
    applied: Number(s['added-delete-files'] ?? 0) > 0 ? 'merge-on-read' : 'copy-on-write',
  };
}

type CompactFn = (t: Table, ...rest: unknown[]) => Promise<unknown>;

/** The compaction step, if this checkout has one; otherwise why not. */
async function findCompaction(): Promise<{ fn?: CompactFn; name?: string; reason?: string }> {
  const source = ['ts', 'js'].map(
    (ext) => new URL(`../src/iceberg/maintenance/compact.${ext}`, import.meta.url),
  );
  if (!source.some((u) => existsSync(u)))
    return { reason: 'src/iceberg/maintenance/compact.js does not exist in this checkout' };
  let mod: Record<string, unknown>;
  try {
    // A computed specifier (the module may not exist when this is type-checked); under tsx the
    // .js specifier resolves to the .ts source, as everywhere in floe.
    mod = (await import(source[1]!.href)) as Record<string, unknown>;
  } catch (e) {
    return { reason: `importing src/iceberg/maintenance/compact.js failed: ${(e as Error).message}` };
  }
  for (const name of ['compact', 'compactTable', 'rewriteDataFiles']) {
    if (typeof mod[name] === 'function') return { fn: mod[name] as CompactFn, name };
  }
  return {
    reason: `src/iceberg/maintenance/compact.js exports none of compact, compactTable, rewriteDataFiles (it exports: ${Object.keys(mod).join(', ') || 'nothing'})`,
  };
}

if (step === 'load') {
  if (!(await catalog.namespaceExists(['bench']))) await catalog.createNamespace(['bench']);
  const t = await createTable(catalog, 'bench.nightly', {
    schema: mergeFields(),
    properties: { 'write.merge.mode': a1! },
  });
  const t0 = performance.now();
  const r = await t.appendQuery(
    `SELECT * FROM read_parquet('${join(dir!, 'base.parquet').replace(/'/g, "''")}')`,
  );
  out.seconds = (performance.now() - t0) / 1000;
  out.records = Number(r.records);
} else if (step === 'series') {
  const runs = Number(a1);
  const perRun = Number(a2);
  const t = await loadTable(catalog, 'bench.nightly');
  const series = [];
  for (let r = 1; r <= runs; r++) {
    series.push(await mergeRun(t, join(dir!, `run-${r}.ndjson`), perRun));
    process.stderr.write(`  run ${r}: ${JSON.stringify(series[series.length - 1])}\n`);
  }
  out.runs = series;
  out.peak_rss_series_mb = process.resourceUsage().maxRSS / 1024;
  const compaction = await findCompaction();
  if (compaction.fn) {
    try {
      const t0 = performance.now();
      const result = await compaction.fn(t);
      out.compaction = { name: compaction.name, seconds: (performance.now() - t0) / 1000 };
      process.stderr.write(`  compaction (${compaction.name}): ${describeCompaction(result)}\n`);
      await t.refresh();
      out.after_compaction = await mergeRun(t, join(dir!, 'run-after.ndjson'), perRun);
    } catch (e) {
      out.compaction_skipped = `compaction (${compaction.name}) failed: ${(e as Error).message}`;
    }
  } else {
    out.compaction_skipped = compaction.reason;
  }
} else {
  throw new Error(`unknown step ${step}`);
}
await catalog.close();
out.peak_rss_mb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(JSON.stringify(out));

/** A one-line account of a compaction result (its plan lists every file: too much to print). */
function describeCompaction(result: unknown): string {
  const r = (result ?? {}) as {
    plan?: { groups?: { files?: unknown[] }[] };
    addedFiles?: number;
    snapshotId?: unknown;
  };
  const inputs = (r.plan?.groups ?? []).reduce((a, g) => a + (g.files?.length ?? 0), 0);
  return `${inputs} files rewritten into ${r.addedFiles ?? '?'}, snapshot ${String(r.snapshotId ?? 'none')}`;
}
