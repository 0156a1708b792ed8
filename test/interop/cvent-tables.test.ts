/**
 * Acceptance for Cvent: `floe init --platform cvent --base-url <simulator>` then `floe run
 * --SAAS_PLATFORM cvent` loads every pack object (session check-ins included), and PyIceberg reads
 * exactly the simulator's records (ids, values, types: Cvent's ISO times as timestamptz). After the simulator's clock
 * moves, a second run fetches only the changes and the MERGE tables equal the new truth. The
 * simulator's Standard tier (10 calls/s, burst 10) stays on: no run may end on a 429.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobParams } from '../../src/config/job-params.js';
import { scaffoldProject } from '../../src/connectors/scaffold.js';
import { type JobOutcome, runJob } from '../../src/job/run-job.js';
import { type CventObject, type CventSimulator, startCventSimulator } from '../../src/sim/cvent/index.js';
import {
  describeFailures,
  dumpValues,
  INTEROP_TIMEOUT_MS,
  interopAvailable,
  type VerifyResult,
} from '../support/interop.js';
import { verifyTables } from '../support/platform-tables.js';

const TABLES: Record<string, CventObject> = {
  'cvent_staging.staging_events': 'events',
  'cvent_staging.staging_registration_types': 'registration-types',
  'cvent_staging.staging_sessions': 'sessions',
  'cvent_staging.staging_speakers': 'speakers',
  'cvent_staging.staging_contacts': 'contacts',
  'cvent_staging.staging_attendees': 'attendees',
  'cvent_staging.staging_session_attendance': 'session-attendance',
};

const dir = mkdtempSync(join(tmpdir(), 'floe-cvent-tables-'));
let sim: CventSimulator;
let first: JobOutcome;
let second: JobOutcome;
let verify1: VerifyResult;
let verify2: VerifyResult;
let changed: Record<string, number>;
let statsFirst: ReturnType<CventSimulator['stats']>;
let statsSecond: ReturnType<CventSimulator['stats']>;

async function truth(): Promise<Record<string, Record<string, unknown>[]>> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const [table, object] of Object.entries(TABLES)) {
    out[table] = [];
    for await (const r of sim.records(object)) out[table]!.push(r);
  }
  return out;
}

const run = () =>
  runJob(parseJobParams(['--project', dir, '--SAAS_PLATFORM', 'cvent', '--PROCESS_TYPE', 'L1'], {}), {
    logStream: { write: () => true },
    now: () => sim.now(),
  });

describe('Cvent pack → Iceberg tables, read by PyIceberg', () => {
  beforeAll(async () => {
    interopAvailable();
    sim = await startCventSimulator({ seed: 7, attendees: 1500, contacts: 600 });
    await scaffoldProject({ dir, platform: 'cvent', baseUrl: sim.origin, force: true });
    first = await run();
    statsFirst = sim.stats();
    verify1 = (await verifyTables(dir, await truth(), 'run1')).result;

    const before = new Date(sim.now().getTime() - 1000);
    sim.advanceClock(36 * 3600 * 1000);
    sim.resetStats();
    const after = await truth();
    changed = Object.fromEntries(
      Object.entries(after).map(([t, rs]) => [
        t,
        rs.filter((r) => Date.parse(String(r.lastModified)) > before.getTime()).length,
      ]),
    );
    second = await run();
    statsSecond = sim.stats();
    verify2 = (await verifyTables(dir, after, 'run2')).result;
  }, INTEROP_TIMEOUT_MS);

  afterAll(async () => {
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the first run loads every Cvent object and PyIceberg reads exactly the simulator’s records', () => {
    expect(first.results.map((r) => [r.configId, r.status])).toEqual(
      expect.arrayContaining(Object.keys(TABLES).map(() => [expect.any(String), 'SUCCESS'])),
    );
    expect(first.results).toHaveLength(Object.keys(TABLES).length);
    expect(first.ok).toBe(true);
    expect(describeFailures(verify1)).toBe('');
  });

  it('the second INCREMENTAL run fetches only the changes, and the MERGE tables equal the new truth', () => {
    expect(second.ok).toBe(true);
    for (const r of second.results) {
      const table = r.table!;
      if (['staging_speakers', 'staging_registration_types'].some((t) => table.endsWith(t))) continue; // FULL
      expect(r.loadType, table).toBe('INCREMENTAL');
      // after=<cursor> at second precision re-reads only records of the cursor's own second.
      expect(r.records, table).toBeGreaterThanOrEqual(changed[table]!);
      expect(r.records, table).toBeLessThanOrEqual(changed[table]! + 3);
    }
    expect(second.results.find((r) => r.table?.endsWith('staging_attendees'))!.records).toBeLessThan(
      first.results.find((r) => r.table?.endsWith('staging_attendees'))!.records,
    );
    expect(describeFailures(verify2)).toBe('');
  });

  it('honours the rate limit: no 429 in either run', () => {
    expect(statsFirst.throttled).toBe(0);
    expect(statsSecond.throttled).toBe(0);
    expect(statsFirst.requests).toBeGreaterThan(20);
  });

  it('types: Cvent times are timestamptz columns, nested objects structs', async () => {
    const cat = { name: 'floe', db: join(dir, '.floe', 'catalog.db'), warehouse: join(dir, 'warehouse') };
    const { schema, rows } = await dumpValues(cat, 'cvent_staging.staging_attendees');
    expect(schema.last_modified).toBe('timestamptz');
    expect(schema.registered_at).toBe('timestamptz');
    expect(schema.created).toBe('timestamptz');
    expect(schema.event).toMatch(/^struct<.*id.*string/);
    expect(rows.length).toBeGreaterThan(1500);
    const checkIns = await dumpValues(cat, 'cvent_staging.staging_session_attendance');
    expect(checkIns.schema).toMatchObject({
      id: 'string',
      deleted: 'boolean',
      check_in: 'timestamptz',
      check_out: 'timestamptz',
      last_modified: 'timestamptz',
      duration: 'long',
    });
    expect(checkIns.schema.session).toMatch(/^struct<.*id.*string/);
    expect(checkIns.schema.attendee).toMatch(/^struct<.*id.*string/);
    expect(checkIns.rows.length).toBeGreaterThan(500);
  });
});
