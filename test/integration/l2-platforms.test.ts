/**
 * Acceptance for the Cvent, Medallia and Eloqua packs' L2, on their simulators: `floe init
 * --platform X` scaffolds the L2 configs, `PROCESS_TYPE both` builds the staging tables and then
 * `cvent_refined.event_attendance` and `cvent_refined.session_attendance` /
 * `medallia_refined.feedback` / `eloqua_refined.email_engagement`, equal to tables computed here
 * from the simulators' ground truth (test/support/platform-l2-expected.ts, not the parsers' SQL).
 * After the simulator's clock moves and both layers run again, the INCREMENTAL L2 run reads only
 * what the staging tables gained, rewrites exactly the rows whose content changed, and ends equal
 * to the new truth and to a FULL run (which then finds nothing to change).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobParams } from '../../src/config/job-params.js';
import { toSnakeCase } from '../../src/config/naming.js';
import { scaffoldProject } from '../../src/connectors/scaffold.js';
import { loadTable, SqlCatalog } from '../../src/iceberg/index.js';
import { type JobOutcome, runJob } from '../../src/job/run-job.js';
import type { L2Result } from '../../src/l2/process-config.js';
import { type CventSimulator, startCventSimulator } from '../../src/sim/cvent/index.js';
import { type EloquaSimulator, startEloquaSimulator } from '../../src/sim/eloqua/index.js';
import { type MedalliaSimulator, startMedalliaSimulator } from '../../src/sim/medallia/index.js';
import {
  type CventTruth,
  cventTruth,
  type EloquaTruth,
  eloquaTruth,
  expectedEmailEngagement,
  expectedEventAttendance,
  expectedReadableFeedback,
  expectedSessionAttendance,
  type MedalliaTruth,
  medalliaTruth,
  type Row,
} from '../support/platform-l2-expected.js';
import { byKey, changedKeys } from '../support/wrike-l2-expected.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'floe-l2-platform-'));
  dirs.push(dir);
  return dir;
}

function runner(dir: string, platform: string, now: () => Date) {
  return (processType: string, extra: string[] = []): Promise<JobOutcome> =>
    runJob(
      parseJobParams(['--project', dir, '--platform', platform, '--process-type', processType, ...extra], {}),
      { logStream: { write: () => true }, now },
    );
}

async function tableRows(dir: string, table: string): Promise<{ rows: Row[]; columns: [string, unknown][] }> {
  const c = new SqlCatalog({
    name: 'floe',
    path: join(dir, '.floe', 'catalog.db'),
    warehouse: join(dir, 'warehouse'),
  });
  try {
    const t = await loadTable(c, table);
    return { rows: await t.scan().toRows(), columns: t.schema().fields.map((f) => [f.name, f.type]) };
  } finally {
    await c.close();
  }
}

function l2(out: JobOutcome, configId: string): L2Result {
  const r = out.results.find((x) => x.configId === configId && x.processType === 'L2');
  expect(r, `no L2 result for ${configId}`).toBeDefined();
  return r as L2Result;
}

/** Keys of the rows the run `runId` wrote. */
const touchedBy = (rows: Row[], key: string, runId: string) =>
  rows
    .filter((r) => r.ingest_run_id === runId)
    .map((r) => String(r[key]))
    .sort();

describe('Cvent L2: attendance per event', () => {
  const dir = project();
  const CONFIG = 'cvent_event_attendance_l2';
  const TABLE = 'cvent_refined.event_attendance';
  const KEY = ['event_id'];
  let sim: CventSimulator;
  let run: ReturnType<typeof runner>;
  let first: CventTruth;
  let firstOut: JobOutcome;

  beforeAll(async () => {
    // Enough events that a day's changes touch only some of them; few edits, so they stay few.
    sim = await startCventSimulator({
      seed: 21,
      events: 80,
      attendees: 1500,
      contacts: 300,
      speakers: 10,
      rateLimit: false,
      churn: { updatedFraction: 0.03 },
    });
    await scaffoldProject({ dir, platform: 'cvent', baseUrl: sim.origin, force: true });
    run = runner(dir, 'cvent', () => sim.now());
    first = await cventTruth(sim);
    firstOut = await run('both');
  });
  afterAll(() => sim?.close());

  it('floe init scaffolds the L2 config; PROCESS_TYPE both builds the staging tables, then event_attendance equal to the ground truth', async () => {
    expect(readdirSync(join(dir, 'configs', 'l2'))).toContain('cvent-event-attendance.yaml');
    expect(firstOut.results.filter((r) => r.status !== 'SUCCESS')).toEqual([]);
    expect(firstOut.results.filter((r) => r.processType === 'L1')).toHaveLength(7);
    expect(firstOut.results.filter((r) => r.processType === 'L2').map((r) => r.configId)).toEqual([
      CONFIG,
      'cvent_session_attendance_l2',
    ]);
    const expected = expectedEventAttendance(first);
    expect(expected.length).toBe(80);
    const { rows } = await tableRows(dir, TABLE);
    expect(byKey(rows, KEY)).toEqual(byKey(expected, KEY));
    expect(l2(firstOut, CONFIG).records).toBe(expected.length);
    // The figures are not trivial: events with check-ins, several statuses, sessions.
    expect(expected.some((r) => (r.checked_in as bigint) > 0n && (r.sessions as bigint) > 0n)).toBe(true);
  });

  it('after the clock moves, the INCREMENTAL run rewrites exactly the events whose figures changed and ends equal to a FULL run', async () => {
    const before = byKey(expectedEventAttendance(first), KEY);
    sim.advanceClock(12 * 3600_000);
    const truth = await cventTruth(sim);
    const out = await run('both');
    expect(out.results.filter((r) => r.status !== 'SUCCESS')).toEqual([]);

    // The attendees read are exactly the ones whose record is new or changed.
    const was = new Map(first.attendees.map((a) => [String(a.id), JSON.stringify(a)]));
    const l1Changed = truth.attendees.filter((a) => was.get(String(a.id)) !== JSON.stringify(a)).length;
    const r = l2(out, CONFIG);
    expect(r.loadType).toBe('INCREMENTAL');
    expect(r.sources?.find((s) => s.name === 'attendees')).toMatchObject({
      mode: 'SNAPSHOT',
      rows: l1Changed,
    });
    expect(l1Changed).toBeGreaterThan(0);
    expect(l1Changed).toBeLessThan(truth.attendees.length / 10);

    const after = byKey(expectedEventAttendance(truth), KEY);
    const { rows } = await tableRows(dir, TABLE);
    expect(byKey(rows, KEY)).toEqual(after);
    const changed = changedKeys(before, after);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThan(after.size);
    expect(touchedBy(rows, 'event_id', out.runId)).toEqual(changed);
    expect(r.written).toBe(changed.length);

    // A FULL run over the same staging tables computes the same rows: MERGE changes nothing.
    const full = l2(await run('L2', ['--load-type', 'FULL']), CONFIG);
    expect(full).toMatchObject({ status: 'SUCCESS', loadType: 'FULL', written: 0 });
    expect(full.sources?.every((s) => s.mode === 'FULL')).toBe(true);
  });
});

describe('Cvent L2: attendance per session', () => {
  const dir = project();
  const CONFIG = 'cvent_session_attendance_l2';
  const TABLE = 'cvent_refined.session_attendance';
  const KEY = ['session_id'];
  let sim: CventSimulator;
  let run: ReturnType<typeof runner>;
  let first: CventTruth;
  let firstOut: JobOutcome;
  /** The session whose doors are open at the first run (its check-ins are still coming). */
  let open: string;

  beforeAll(async () => {
    // As for the events: enough events and sessions that a day's changes touch only some.
    sim = await startCventSimulator({
      seed: 23,
      events: 80,
      attendees: 1500,
      contacts: 300,
      speakers: 10,
      rateLimit: false,
      churn: { updatedFraction: 0.03 },
    });
    // The first run happens ten minutes into the next session to start: it reads that
    // session's first scans, which later runs see checked out, joined by late-comers and imports.
    const now = sim.now().getTime();
    const sessions = (await cventTruth(sim)).sessions;
    const next = sessions
      .filter((s) => Date.parse(String(s.start)) - 600_000 > now)
      .sort((a, b) => Date.parse(String(a.start)) - Date.parse(String(b.start)))[0]!;
    open = String(next.id);
    sim.advanceClock(Date.parse(String(next.start)) + 600_000 - now);
    await scaffoldProject({ dir, platform: 'cvent', baseUrl: sim.origin, force: true });
    run = runner(dir, 'cvent', () => sim.now());
    first = await cventTruth(sim);
    firstOut = await run('both');
  });
  afterAll(() => sim?.close());

  it('floe init scaffolds the L2 config; PROCESS_TYPE both builds the staging tables, then session_attendance equal to the ground truth', async () => {
    expect(readdirSync(join(dir, 'configs', 'l2'))).toContain('cvent-session-attendance.yaml');
    expect(readdirSync(join(dir, 'configs', 'l1'))).toContain('cvent-session-attendance.yaml');
    expect(firstOut.results.filter((r) => r.status !== 'SUCCESS')).toEqual([]);
    expect(firstOut.results.filter((r) => r.processType === 'L1').map((r) => r.configId)).toContain(
      'Cvent_SessionAttendance',
    );
    const expected = expectedSessionAttendance(first);
    expect(expected.length).toBe(first.sessions.length);
    const { rows, columns } = await tableRows(dir, TABLE);
    expect(byKey(rows, KEY)).toEqual(byKey(expected, KEY));
    expect(l2(firstOut, CONFIG).records).toBe(expected.length);
    expect(Object.fromEntries(columns)).toMatchObject({
      session_id: 'string',
      event_id: 'string',
      checked_in: 'long',
      capacity_filled: 'double',
      total_duration_ms: 'long',
      avg_duration_minutes: 'double',
      first_check_in: 'timestamptz',
    });
    // The figures are not trivial: sessions with check-ins and check-outs, sessions nobody came
    // to, removed check-ins left out, and the open session's first scans counted.
    expect(expected.some((r) => (r.checked_out as bigint) > 0n && (r.checked_in as bigint) > 1n)).toBe(true);
    expect(expected.some((r) => r.checked_in === 0n && r.first_check_in === null)).toBe(true);
    const removed = first.attendance.filter((c) => c.deleted === true);
    expect(removed.length).toBeGreaterThan(0);
    expect(first.attendance.length - removed.length).toBe(
      Number(expected.reduce((n, r) => n + (r.checked_in as bigint), 0n)),
    );
    expect(byKey(rows, KEY).get(open)?.checked_in).toBeGreaterThan(0n);
  });

  it('after the clock moves, the INCREMENTAL run rewrites exactly the sessions whose figures changed and ends equal to a FULL run', async () => {
    const before = byKey(expectedSessionAttendance(first), KEY);
    sim.advanceClock(24 * 3600_000);
    const truth = await cventTruth(sim);
    const out = await run('both');
    expect(out.results.filter((r) => r.status !== 'SUCCESS')).toEqual([]);

    // What the day brought: new check-ins, check-outs and a removal of ones the first run read.
    const was = new Map(first.attendance.map((c) => [String(c.id), c]));
    const fresh = truth.attendance.filter((c) => !was.has(String(c.id)));
    const edited = truth.attendance.filter(
      (c) => was.has(String(c.id)) && JSON.stringify(was.get(String(c.id))) !== JSON.stringify(c),
    );
    expect(fresh.length).toBeGreaterThan(0);
    expect(edited.some((c) => c.deleted === false && c.checkOut !== undefined)).toBe(true);
    expect(edited.some((c) => c.deleted === true)).toBe(true);
    // The check-ins read are exactly the new and changed ones.
    const r = l2(out, CONFIG);
    expect(r.loadType).toBe('INCREMENTAL');
    expect(r.sources?.find((s) => s.name === 'attendance')).toMatchObject({
      mode: 'SNAPSHOT',
      rows: fresh.length + edited.length,
    });

    const after = byKey(expectedSessionAttendance(truth), KEY);
    const { rows } = await tableRows(dir, TABLE);
    expect(byKey(rows, KEY)).toEqual(after);
    const changed = changedKeys(before, after);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThan(after.size);
    // Among them, sessions whose check-ins moved (not only their event's registrant counts).
    const moved = changed.filter(
      (k) =>
        before.get(k)?.checked_in !== after.get(k)!.checked_in ||
        before.get(k)?.checked_out !== after.get(k)!.checked_out,
    );
    expect(moved).toContain(open);
    expect(touchedBy(rows, 'session_id', out.runId)).toEqual(changed);
    expect(r.written).toBe(changed.length);

    // A FULL run over the same staging tables computes the same rows: MERGE changes nothing.
    const full = l2(await run('L2', ['--load-type', 'FULL']), CONFIG);
    expect(full).toMatchObject({ status: 'SUCCESS', loadType: 'FULL', written: 0 });
    expect(full.sources?.every((s) => s.mode === 'FULL')).toBe(true);
  });
});

describe('Medallia L2: the responses as a readable table', () => {
  const dir = project();
  const CONFIG = 'medallia_feedback_l2';
  const TABLE = 'medallia_refined.feedback';
  const KEY = ['feedback_id'];
  let sim: MedalliaSimulator;
  let run: ReturnType<typeof runner>;
  let first: MedalliaTruth;
  let firstOut: JobOutcome;

  beforeAll(async () => {
    // Two custom questions beyond Medallia's usual fields, each answered by about half.
    sim = await startMedalliaSimulator({
      seed: 9,
      feedback: 1200,
      extraFields: 2,
      rateLimit: false,
      churn: { newPerDayFraction: 0.05 },
    });
    await scaffoldProject({ dir, platform: 'medallia', baseUrl: sim.origin, force: true });
    run = runner(dir, 'medallia', () => sim.now());
    first = await medalliaTruth(sim);
    firstOut = await run('both');
  });
  afterAll(() => sim?.close());

  it('PROCESS_TYPE both builds the staging tables, then one column per field named by its catalogue name, equal to the ground truth', async () => {
    expect(readdirSync(join(dir, 'configs', 'l2'))).toContain('medallia-feedback.yaml');
    expect(firstOut.results.filter((r) => r.status !== 'SUCCESS')).toEqual([]);
    expect(firstOut.results.filter((r) => r.processType === 'L2').map((r) => r.configId)).toEqual([CONFIG]);
    const expected = expectedReadableFeedback(first, toSnakeCase);
    expect(expected.length).toBe(first.feedback.length);
    const { rows, columns } = await tableRows(dir, TABLE);
    expect(columns.map(([n]) => n)).toEqual([
      ...Object.keys(expected[0]!),
      'ingest_timestamp',
      'ingest_run_id',
    ]);
    expect(byKey(rows, KEY)).toEqual(byKey(expected, KEY));
    // Readable names and types, from the catalogue: numbers as longs, lists kept, customs named.
    const type = Object.fromEntries(columns);
    expect(type).toMatchObject({
      feedback_id: 'string',
      likelihood_to_recommend: 'long',
      overall_satisfaction: 'long',
      initial_finish_timestamp: 'timestamptz',
      response_date: 'date',
      unit: 'string',
      custom_question_1: 'string',
      custom_question_2: 'string',
    });
    expect(type.reasons).toMatchObject({ type: 'list', element: 'string' });
    expect(Object.keys(type).some((c) => /^(q|e|a)_/.test(c))).toBe(false);
  });

  it('after the clock moves, the INCREMENTAL run converts only the new responses and ends equal to a FULL run', async () => {
    const before = byKey(expectedReadableFeedback(first, toSnakeCase), KEY);
    sim.advanceClock(24 * 3600_000);
    const truth = await medalliaTruth(sim);
    const fresh = truth.feedback.length - first.feedback.length;
    expect(fresh).toBeGreaterThan(0);
    const out = await run('both');
    expect(out.results.filter((r) => r.status !== 'SUCCESS')).toEqual([]);
    const r = l2(out, CONFIG);
    expect(r.loadType).toBe('INCREMENTAL');
    // The catalogue did not change: only the new responses are read and converted.
    expect(r.sources?.find((s) => s.name === 'feedback')).toMatchObject({ mode: 'SNAPSHOT', rows: fresh });
    expect(r.sources?.find((s) => s.name === 'fields')).toMatchObject({ mode: 'SNAPSHOT', rows: 0 });

    const after = byKey(expectedReadableFeedback(truth, toSnakeCase), KEY);
    const { rows } = await tableRows(dir, TABLE);
    expect(byKey(rows, KEY)).toEqual(after);
    const changed = changedKeys(before, after);
    expect(changed).toHaveLength(fresh);
    expect(touchedBy(rows, 'feedback_id', out.runId)).toEqual(changed);
    expect(r.written).toBe(fresh);

    const full = l2(await run('L2', ['--load-type', 'FULL']), CONFIG);
    expect(full).toMatchObject({ status: 'SUCCESS', loadType: 'FULL', written: 0 });
    expect(full.sources?.every((s) => s.mode === 'FULL')).toBe(true);
  });
});

describe('Eloqua L2: email engagement per campaign and email', () => {
  const dir = project();
  const CONFIG = 'eloqua_email_engagement_l2';
  const TABLE = 'eloqua_refined.email_engagement';
  const KEY = ['campaign_id', 'email_id'];
  let sim: EloquaSimulator;
  let run: ReturnType<typeof runner>;
  let first: EloquaTruth;
  let firstOut: JobOutcome;

  beforeAll(async () => {
    // Few campaigns and emails, so groups hold several sends and a day touches only some; a
    // fifth of the campaigns and emails get edited (renamed), which touches all their groups.
    sim = await startEloquaSimulator({
      seed: 23,
      contacts: 300,
      campaigns: 20,
      emails: 10,
      emailSends: 1500,
      churn: { updatedFraction: 0.2 },
    });
    await scaffoldProject({ dir, platform: 'eloqua', baseUrl: sim.origin, force: true });
    run = runner(dir, 'eloqua', () => sim.now());
    first = await eloquaTruth(sim);
    firstOut = await run('both');
  });
  afterAll(() => sim?.close());

  it('PROCESS_TYPE both builds the staging tables, then email_engagement equal to the ground truth', async () => {
    expect(readdirSync(join(dir, 'configs', 'l2'))).toContain('eloqua-email-engagement.yaml');
    expect(firstOut.results.filter((r) => r.status !== 'SUCCESS')).toEqual([]);
    expect(firstOut.results.filter((r) => r.processType === 'L2').map((r) => r.configId)).toEqual([CONFIG]);
    const expected = expectedEmailEngagement(first);
    const { rows } = await tableRows(dir, TABLE);
    expect(byKey(rows, KEY)).toEqual(byKey(expected, KEY));
    expect(l2(firstOut, CONFIG).records).toBe(expected.length);
    expect(expected.some((r) => (r.unique_clicks as bigint) > 0n && (r.sends as bigint) > 1n)).toBe(true);
  });

  it('after the clock moves, the INCREMENTAL run rewrites exactly the groups whose figures changed and ends equal to a FULL run', async () => {
    const before = byKey(expectedEmailEngagement(first), KEY);
    sim.advanceClock(24 * 3600_000);
    const truth = await eloquaTruth(sim);
    const out = await run('both');
    expect(out.results.filter((r) => r.status !== 'SUCCESS')).toEqual([]);
    const r = l2(out, CONFIG);
    expect(r.loadType).toBe('INCREMENTAL');
    // Activities never change: the sends read are exactly the new ones.
    expect(r.sources?.find((s) => s.name === 'sends')).toMatchObject({
      mode: 'SNAPSHOT',
      rows: truth.sends.length - first.sends.length,
    });
    // A campaign or an email was renamed: its groups are recomputed though they gained nothing.
    const renamed = (k: 'campaigns' | 'emails') =>
      truth[k].filter((c) => first[k].find((x) => x.id === c.id)?.name !== c.name).length;
    expect(renamed('campaigns') + renamed('emails')).toBeGreaterThan(0);
    expect(
      (r.sources?.find((s) => s.name === 'campaigns')?.rows ?? 0) +
        (r.sources?.find((s) => s.name === 'emails')?.rows ?? 0),
    ).toBeGreaterThan(0);
    const after = byKey(expectedEmailEngagement(truth), KEY);
    const { rows } = await tableRows(dir, TABLE);
    expect(byKey(rows, KEY)).toEqual(after);
    const changed = changedKeys(before, after);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThan(after.size);
    const touched = rows
      .filter((x) => x.ingest_run_id === out.runId)
      .map((x) => KEY.map((k) => String(x[k])).join('|'))
      .sort();
    expect(touched).toEqual(changed);
    expect(r.written).toBe(changed.length);

    const full = l2(await run('L2', ['--load-type', 'FULL']), CONFIG);
    expect(full).toMatchObject({ status: 'SUCCESS', loadType: 'FULL', written: 0 });
    expect(full.sources?.every((s) => s.mode === 'FULL')).toBe(true);
  });
});
