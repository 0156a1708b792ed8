import { DuckDBInstance } from '@duckdb/node-api';
const [mode, rg] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:', {threads: '4', preserve_insertion_order: 'false', memory_limit: '256MB', temp_directory: '/tmp/lay/spill-' + mode + rg, allocator_flush_threshold: '32MB'});
const c = await db.connect();
const f = "read_json_auto('/tmp/lay/data/tasks.ndjson', format = 'newline_delimited')";
await c.run(`CREATE TEMP TABLE t AS SELECT * FROM ${f}`);
let t0 = Date.now();
const q = { U: `SELECT * FROM t`, S: `SELECT * FROM t ORDER BY id`, K: `SELECT * FROM t ORDER BY rowid` }[mode];
try {
await c.run(`COPY (${q}) TO '/tmp/lay/o-${mode}${rg}.parquet' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${rg})`);
console.log(`${mode} rg=${rg}`, (Date.now() - t0) / 1000, 's', Math.round(process.resourceUsage().maxRSS / 1024), 'MB');
} catch (e) { console.log(`${mode} rg=${rg} FAILED ${e.message.slice(0,80)}`); }
