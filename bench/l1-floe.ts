/**
 * floe's side of the L1 benchmark, in its own process (the simulator runs in the parent), so
 * the peak RSS printed is floe's alone. argv: projectDir → JSON {seconds, records, peak_rss_mb}.
 */
import { parseJobParams } from '../src/config/job-params.js';
import { runJob } from '../src/job/run-job.js';

const [dir] = process.argv.slice(2);
const t0 = performance.now();
const out = await runJob(
  parseJobParams(['--project', dir!, '--platform', 'wrike', '--process-type', 'L1'], {}),
  {
    logStream: { write: () => true },
  },
);
const seconds = (performance.now() - t0) / 1000;
const r = out.results[0]!;
if (r.status !== 'SUCCESS') throw new Error(`L1 bench run failed: ${r.error}`);
process.stdout.write(
  JSON.stringify({ seconds, records: r.records, peak_rss_mb: process.resourceUsage().maxRSS / 1024 }),
);
