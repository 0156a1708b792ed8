/**
 * Acceptance for Medallia: `floe init --platform medallia --base-url <simulator>` then `floe run
 * --SAAS_PLATFORM medallia` loads the field catalogue and the feedback, and PyIceberg reads
 * exactly the simulator's records: one column per answered field, named by the catalogue's ids,
 * the finish time as timestamptz and the response date as date. After the clock moves, a second
 * run reads only the new feedback, merged on id. The Query API's 70 requests/s stays on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobParams } from '../../src/config/job-params.js';
import { scaffoldProject } from '../../src/connectors/scaffold.js';
import { type JobOutcome, runJob } from '../../src/job/run-job.js';
import { type MedalliaSimulator, startMedalliaSimulator } from '../../src/sim/medallia/index.js';
import {
  describeFailures,
  dumpValues,
  INTEROP_TIMEOUT_MS,
  interopAvailable,
  type VerifyResult,
} from '../support/interop.js';
import { verifyTables } from '../support/platform-tables.js';

type Rec = Record<string, unknown>;
const dir = mkdtempSync(join(tmpdir(), 'floe-medallia-tables-'));
let sim: MedalliaSimulator;
let first: JobOutcome;
let second: JobOutcome;
let verify1: VerifyResult;
let verify2: VerifyResult;
let newFeedback = 0;

async function expected(): Promise<Record<string, Rec[]>> {
  const feedback: Rec[] = [];
  for await (const r of sim.records()) {
    const x: Rec = {
      ...r,
      a_initial_finish_timestamp: new Date(Number(r.a_initial_finish_timestamp) * 1000).toISOString(),
    };
    if (typeof x.e_creationdate === 'string') x.e_creationdate = `${x.e_creationdate.replace(' ', 'T')}Z`;
    feedback.push(x);
  }
  return { 'medallia_staging.staging_fields': sim.fields(), 'medallia_staging.staging_feedback': feedback };
}

const run = () =>
  runJob(parseJobParams(['--project', dir, '--SAAS_PLATFORM', 'medallia', '--PROCESS_TYPE', 'L1'], {}), {
    logStream: { write: () => true },
    now: () => sim.now(),
  });

describe('Medallia pack → Iceberg tables, read by PyIceberg', () => {
  beforeAll(async () => {
    interopAvailable();
    sim = await startMedalliaSimulator({ seed: 8, feedback: 1800, churn: { newPerDayFraction: 0.05 } });
    await scaffoldProject({ dir, platform: 'medallia', baseUrl: sim.origin, force: true });
    first = await run();
    verify1 = (await verifyTables(dir, await expected(), 'run1')).result;
    const before = (await expected())['medallia_staging.staging_feedback']!.length;
    sim.advanceClock(24 * 3600 * 1000);
    const after = await expected();
    newFeedback = after['medallia_staging.staging_feedback']!.length - before;
    second = await run();
    verify2 = (await verifyTables(dir, after, 'run2')).result;
  }, INTEROP_TIMEOUT_MS);

  afterAll(async () => {
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the first run loads the catalogue and every feedback record, equal to the simulator’s', () => {
    expect(
      first.results.filter((r) => r.status !== 'SUCCESS').map((r) => `${r.configId}: ${r.error}`),
    ).toEqual([]);
    expect(first.results).toHaveLength(2);
    expect(describeFailures(verify1)).toBe('');
  });

  it('the second INCREMENTAL run reads only the new feedback, and the table equals the new truth', () => {
    expect(second.ok).toBe(true);
    const fb = second.results.find((r) => r.configId === 'Medallia_Feedback')!;
    expect(fb.loadType).toBe('INCREMENTAL');
    expect(newFeedback).toBeGreaterThan(0);
    expect(fb.records).toBe(newFeedback);
    expect(describeFailures(verify2)).toBe('');
    expect(sim.stats().throttled).toBe(0);
  });

  it('types: columns named by field ids; the finish time timestamptz, the response date a date, multivalued fields lists', async () => {
    const cat = { name: 'floe', db: join(dir, '.floe', 'catalog.db'), warehouse: join(dir, 'warehouse') };
    const { schema } = await dumpValues(cat, 'medallia_staging.staging_feedback');
    expect(schema.a_initial_finish_timestamp).toBe('timestamptz');
    expect(schema.e_responsedate).toBe('date');
    expect(schema.q_ltr).toBe('string');
    expect(schema.a_recognition_sentiment_types).toMatch(/^list<string>/);
  });
});
