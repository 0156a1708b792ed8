/**
 * The L2 benchmark's ceiling, in its own process like floe's side: the same SQL, run by DuckDB
 * alone (the process's DuckDB, same memory limit and threads) over the same Parquet files, written
 * to one Parquet file. argv: jobFile ({ files: {source: paths[]}, sql, out }) → JSON {seconds, peak_rss_mb}.
 */
import { readFileSync } from 'node:fs';
import { sqlIdent, sqlString, withDuck } from '../src/duck/session.js';

const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as {
  files: Record<string, string[]>;
  sql: string;
  out: string;
};
const seconds = await withDuck(async (d) => {
  await d.run('CREATE SCHEMA all_rows');
  for (const [name, paths] of Object.entries(job.files))
    await d.run(
      `CREATE VIEW all_rows.${sqlIdent(name)} AS SELECT * FROM read_parquet([${paths.map(sqlString).join(', ')}])`,
    );
  const t0 = performance.now();
  // Row groups as floe sizes them: DuckDB's default buffers too much for its 256 MB limit here.
  await d.run(
    `COPY (${job.sql}) TO ${sqlString(job.out)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE_BYTES '8MB')`,
  );
  return (performance.now() - t0) / 1000;
});
process.stdout.write(JSON.stringify({ seconds, peak_rss_mb: process.resourceUsage().maxRSS / 1024 }));
