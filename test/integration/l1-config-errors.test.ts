/**
 * Errors that used to hide problems. A misspelt platform ran nothing and exited 0; one invalid
 * config file stopped every config and showed only the first error. Now selecting nothing is an
 * error listing the platforms the project has, and invalid configs fail alone (status, history
 * row, error naming file, field and fix) while the valid ones run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseJobParams } from '../../src/config/job-params.js';
import { isFloeError } from '../../src/errors.js';
import { runJob } from '../../src/job/run-job.js';
import { SqliteHistoryStore } from '../../src/runtime/local/sqlite-history.js';
import { SqliteStateStore } from '../../src/runtime/local/sqlite-state.js';
import { openStateDb } from '../../src/runtime/local/state-db.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import { crashConfigs } from '../support/crash-project.js';
import { type TempProject, tempProject } from '../support/l1-project.js';

let sim: WrikeSimulator;
let project: TempProject;
afterEach(async () => {
  await sim?.close();
  project?.cleanup();
});

const quiet = { logStream: { write: () => true } };
const params = (...args: string[]) => parseJobParams(['--project', project.dir, ...args], {});

describe('config problems are reported, never hidden', () => {
  it('a misspelt platform is an error that lists the platforms the project has', async () => {
    sim = await startWrikeSimulator({ tasks: 50, rateLimit: false, seed: 1 });
    project = tempProject(sim, 'sim-permanent-token');
    for (const c of crashConfigs(sim)) project.writeConfig(c);
    const err = await runJob(params('--SAAS_PLATFORM', 'wrikee', '--PROCESS_TYPE', 'L1'), quiet).catch(
      (e: unknown) => e,
    );
    expect(isFloeError(err, 'not-found')).toBe(true);
    expect((err as Error).message).toMatch(/no L1 config has platform "wrikee" \(did you mean wrike\?\)/);
    expect((err as Error).message).toContain('the project has: wrike (3 configs)');
  });

  it('invalid configs fail alone, each with file, field and fix; the valid ones run; the run is not ok', async () => {
    sim = await startWrikeSimulator({ tasks: 50, rateLimit: false, seed: 1 });
    project = tempProject(sim, 'sim-permanent-token');
    const [append, , merge] = crashConfigs(sim);
    project.writeConfig(append!);
    project.writeConfig(merge!);
    // An item with a bad field, and a file that is not even YAML.
    const bad = JSON.parse(JSON.stringify(merge)) as Record<string, Record<string, unknown>>;
    bad.configId = 'Tasks_Bad' as never;
    bad.destination!.defaultwriteMode = 'UPSERT';
    project.writeConfig(bad);
    writeFileSync(
      join(project.dir, 'configs', 'l1', 'broken.yaml'),
      'configId: Broken\n  platform: [wrike\n',
    );

    const out = await runJob(params('--platform', 'wrike', '--process-type', 'L1'), quiet);
    expect(out.ok).toBe(false);
    const byId = new Map(out.results.map((r) => [r.configId, r]));
    expect(byId.get('Tasks_Append')?.status).toBe('SUCCESS');
    expect(byId.get('Tasks_Merge')?.status).toBe('SUCCESS');
    const badResult = byId.get('Tasks_Bad')!;
    expect(badResult.status).toBe('FAILED');
    expect(badResult.error).toMatch(/destination\.defaultwriteMode/);
    expect(badResult.error).toMatch(/UPSERT/);
    expect(badResult.error).toMatch(/fix:/);
    expect(badResult.error).toContain('Tasks_Bad.json');
    const broken = out.results.find((r) => r.configId.includes('broken.yaml'))!;
    expect(broken.status).toBe('FAILED');
    expect(broken.error).toMatch(/broken\.yaml/);

    const db = openStateDb(join(project.dir, '.floe', 'state.db'), { readonly: true });
    try {
      const h = await new SqliteHistoryStore(db).find(out.runId, 'L1', 'Tasks_Bad');
      expect(h?.lastRunStatus).toBe('FAILED');
      expect(h?.error).toMatch(/defaultwriteMode/);
      expect((await new SqliteStateStore(db).get('L1', 'Tasks_Bad'))?.status).toBe('FAILED');
    } finally {
      db.close();
    }
  });
});
