/**
 * Child process for L2 crash tests: runs the job of a project. argv: projectDir processType
 * nowIso (the run's clock, the simulator's time: parsers compute "today" from it).
 */
import { parseJobParams } from '../../src/config/job-params.js';
import { runJob } from '../../src/job/run-job.js';

const [dir, processType, nowIso] = process.argv.slice(2);
const now = new Date(nowIso!);
const out = await runJob(
  parseJobParams(['--project', dir!, '--platform', 'wrike', '--process-type', processType!], {}),
  { logStream: { write: () => true }, now: () => now },
);
process.stdout.write(
  JSON.stringify({
    ok: out.ok,
    runId: out.runId,
    results: out.results.map((r) => ({
      id: r.configId,
      layer: r.processType,
      status: r.status,
      error: r.error,
    })),
  }),
);
