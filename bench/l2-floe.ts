/**
 * floe's side of the L2 benchmark, in its own process (the parent built the L1 tables), so the
 * peak RSS printed is the L2 run's alone. argv: projectDir configId → JSON {seconds, records,
 * peak_rss_mb}.
 */
import { parseJobParams } from '../src/config/job-params.js';
import { runJob } from '../src/job/run-job.js';

const [dir, configId] = process.argv.slice(2);
const t0 = performance.now();
const out = await runJob(
  parseJobParams(['--project', dir!, '--process-type', 'L2', '--config-id', configId!], {}),
  // FLOE_BENCH_LOG=1: the run's log (each step with its time) on stderr.
  { logStream: process.env.FLOE_BENCH_LOG === '1' ? process.stderr : { write: () => true } },
);
const seconds = (performance.now() - t0) / 1000;
const r = out.results[0]!;
if (r.status !== 'SUCCESS') throw new Error(`L2 bench run failed: ${r.error}`);
process.stdout.write(
  JSON.stringify({ seconds, records: r.records, peak_rss_mb: process.resourceUsage().maxRSS / 1024 }),
);
