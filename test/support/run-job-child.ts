/** Child process for the crash test: runs the L1 job of a project. argv: projectDir */
import { parseJobParams } from '../../src/config/job-params.js';
import { runJob } from '../../src/job/run-job.js';

const [dir] = process.argv.slice(2);
const out = await runJob(
  parseJobParams(['--project', dir!, '--platform', 'wrike', '--process-type', 'L1'], {}),
  {
    logStream: { write: () => true },
  },
);
process.stdout.write(
  JSON.stringify({
    ok: out.ok,
    results: out.results.map((r) => ({
      id: r.configId,
      status: r.status,
      records: r.records,
      error: r.error,
    })),
  }),
);
