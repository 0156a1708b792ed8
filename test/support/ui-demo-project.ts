// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` are config placeholders
/**
 * `floe demo`'s project, for the `floe ui` tests: the Wrike pack scaffolded against the Wrike
 * simulator and run (L1 then L2), plus one config that fails (a 404 endpoint). The project's
 * token is a canary: the simulator accepts it, the secrets file holds it, and the failing config
 * also carries it in a header and a query parameter, so it reaches config text, request URLs and
 * errors; no page or API answer may show it. The failing config then runs once more alone, so
 * it has failed twice in a row.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJobParams } from '../../src/config/job-params.js';
import { scaffoldProject } from '../../src/connectors/scaffold.js';
import { type JobOutcome, runJob } from '../../src/job/run-job.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';

export const CANARY = 'canary-floe-ui-9f2c7e41d8';
export const BROKEN = 'Wrike_Broken';

export interface UiDemoProject {
  dir: string;
  sim: WrikeSimulator;
  /** The full run (every config of the pack, and the broken one). */
  full: JobOutcome;
  /** The broken config run again alone. */
  again: JobOutcome;
  close(): Promise<void>;
}

export async function uiDemoProject(): Promise<UiDemoProject> {
  const sim = await startWrikeSimulator({
    tasks: 300,
    seed: 42,
    rateLimit: false,
    permanentTokens: [CANARY],
  });
  const dir = join(mkdtempSync(join(tmpdir(), 'floe-ui-demo-')), 'demo');
  await scaffoldProject({ dir, platform: 'wrike', baseUrl: sim.origin, force: true });
  writeFileSync(join(dir, '.floe', 'secrets.yaml'), `wrike-token: "${CANARY}"\n`, { mode: 0o600 });
  writeFileSync(
    join(dir, 'configs', 'l1', 'wrike-broken.json'),
    JSON.stringify({
      configId: BROKEN,
      platform: 'wrike',
      objectName: 'broken',
      source: {
        apiType: 'REST',
        auth: { type: 'PERM', tokenKey: 'wrike-token' },
        request: {
          method: 'GET',
          url: `${sim.baseUrl}/no-such-endpoint`,
          headers: { Accept: 'application/json', Authorization: 'Bearer ${accessToken}', 'X-Debug': CANARY },
          params: { debug: CANARY },
        },
        response: { dataPath: '$.data' },
      },
      destination: {
        glueDatabase: 'wrike_staging',
        glueTable: 'staging_broken',
        loadType: 'FULL',
        defaultwriteMode: 'OVERWRITE',
      },
      retryPolicy: { maxAttempts: 1, backoff: 'FIXED', baseDelayMs: 1, maxDelayMs: 1 },
    }),
  );
  const run = (args: string[]) =>
    runJob(parseJobParams(['--project', dir, '--SAAS_PLATFORM', 'wrike', ...args], {}), {
      logStream: { write: () => true },
      now: () => sim.now(),
      env: {},
    });
  const full = await run(['--PROCESS_TYPE', 'both']);
  const again = await run(['--PROCESS_TYPE', 'L1', '--CONFIG_ID', BROKEN]);
  return {
    dir,
    sim,
    full,
    again,
    async close() {
      await sim.close();
      rmSync(join(dir, '..'), { recursive: true, force: true });
    },
  };
}
