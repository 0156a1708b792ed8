/**
 * Acceptance for Eloqua: `floe init --platform eloqua --base-url <simulator>` then `floe run
 * --SAAS_PLATFORM eloqua` loads every pack object (REST assets, form submissions per form, and
 * Bulk exports of contacts, accounts and email activities), and PyIceberg reads exactly the
 * simulator's records: Eloqua's epoch strings and Bulk date texts as timestamptz columns. After
 * the clock moves, a second run fetches only the changes; no export definition is left behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobParams } from '../../src/config/job-params.js';
import { eloquaPack } from '../../src/connectors/eloqua/index.js';
import { scaffoldProject } from '../../src/connectors/scaffold.js';
import { type JobOutcome, runJob } from '../../src/job/run-job.js';
import {
  type EloquaSimulator,
  type EloquaTruthObject,
  startEloquaSimulator,
} from '../../src/sim/eloqua/index.js';
import {
  describeFailures,
  dumpValues,
  INTEROP_TIMEOUT_MS,
  interopAvailable,
  type VerifyResult,
} from '../support/interop.js';
import { type ExpectedTable, verifyTables } from '../support/platform-tables.js';

type Rec = Record<string, unknown>;
const dir = mkdtempSync(join(tmpdir(), 'floe-eloqua-tables-'));
let sim: EloquaSimulator;
let first: JobOutcome;
let second: JobOutcome;
let verify1: VerifyResult;
let verify2: VerifyResult;

const epoch = (v: unknown) =>
  v === undefined || v === null || v === '' ? null : new Date(Number(v) * 1000).toISOString();
const bulkTime = (v: unknown) => (v === '' || v === undefined ? null : `${String(v).replace(' ', 'T')}Z`);

/** What each table must hold, from the simulator's truth and the pack's field lists. */
async function expected(): Promise<Record<string, ExpectedTable>> {
  const pack = new Map(eloquaPack().map((c) => [c.configId as string, c]));
  const all = async (o: EloquaTruthObject) => {
    const out: Rec[] = [];
    for await (const r of sim.records(o)) out.push(r);
    return out;
  };
  const rest = async (o: EloquaTruthObject, extra: string[] = []) =>
    (await all(o)).map((r) => {
      const x: Rec = { ...r, createdAt: epoch(r.createdAt), updatedAt: epoch(r.updatedAt) };
      for (const k of extra) if (k in x) x[k] = epoch(x[k]);
      return x;
    });
  const bulk = async (configId: string, o: EloquaTruthObject, times: string[]) => {
    const src = pack.get(configId)!.source as {
      asyncJob: { create: { request: { body: { fields: Record<string, string> } } }[] };
    };
    const fields = src.asyncJob.create[0]!.request.body.fields;
    return (await all(o)).map((r) => {
      const x: Rec = {};
      for (const [name, eml] of Object.entries(fields)) x[name] = r[eml] ?? '';
      for (const t of times) x[t] = bulkTime(x[t]);
      return x;
    });
  };
  const subs = (await all('formSubmissions')).map((s) => ({ ...s, submittedAt: epoch(s.submittedAt) }));
  return {
    'eloqua_staging.staging_campaigns': { records: await rest('campaigns', ['startAt']) },
    'eloqua_staging.staging_emails': { records: await rest('emails') },
    'eloqua_staging.staging_forms': { records: await rest('forms') },
    'eloqua_staging.staging_form_submissions': { records: subs },
    'eloqua_staging.staging_accounts': {
      records: await bulk('Eloqua_Accounts', 'accounts', ['CreatedAt', 'UpdatedAt']),
      idField: 'AccountId',
      idColumn: 'account_id',
    },
    'eloqua_staging.staging_contacts': {
      records: await bulk('Eloqua_Contacts', 'contacts', ['DateCreated', 'DateModified']),
      idField: 'ContactId',
      idColumn: 'contact_id',
    },
    'eloqua_staging.staging_email_sends': {
      records: await bulk('Eloqua_EmailSends', 'activities:EmailSend', ['ActivityDate']),
      idField: 'ActivityId',
      idColumn: 'activity_id',
    },
    'eloqua_staging.staging_email_opens': {
      records: await bulk('Eloqua_EmailOpens', 'activities:EmailOpen', ['ActivityDate']),
      idField: 'ActivityId',
      idColumn: 'activity_id',
    },
    'eloqua_staging.staging_email_clickthroughs': {
      records: await bulk('Eloqua_EmailClickthroughs', 'activities:EmailClickthrough', ['ActivityDate']),
      idField: 'ActivityId',
      idColumn: 'activity_id',
    },
  };
}

const run = () =>
  runJob(parseJobParams(['--project', dir, '--SAAS_PLATFORM', 'eloqua', '--PROCESS_TYPE', 'L1'], {}), {
    logStream: { write: () => true },
    now: () => sim.now(),
  });

describe('Eloqua pack → Iceberg tables, read by PyIceberg', () => {
  beforeAll(async () => {
    interopAvailable();
    sim = await startEloquaSimulator({
      seed: 9,
      contacts: 1500,
      emailSends: 2000,
      rateLimit: { requestsPerSecond: 10 },
    });
    await scaffoldProject({ dir, platform: 'eloqua', baseUrl: sim.origin, force: true });
    first = await run();
    verify1 = (await verifyTables(dir, await expected(), 'run1')).result;
    sim.advanceClock(36 * 3600 * 1000);
    second = await run();
    verify2 = (await verifyTables(dir, await expected(), 'run2')).result;
  }, INTEROP_TIMEOUT_MS);

  afterAll(async () => {
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the first run loads every Eloqua object, equal to the simulator’s records', () => {
    expect(
      first.results.filter((r) => r.status !== 'SUCCESS').map((r) => `${r.configId}: ${r.error}`),
    ).toEqual([]);
    expect(first.results).toHaveLength(9);
    expect(describeFailures(verify1)).toBe('');
  });

  it('the second run is INCREMENTAL, reads far less, and the tables equal the new truth', () => {
    expect(second.ok).toBe(true);
    for (const r of second.results) expect(r.loadType, r.configId).toBe('INCREMENTAL');
    const n = (o: JobOutcome, id: string) => o.results.find((r) => r.configId === id)!.records;
    expect(n(second, 'Eloqua_Contacts')).toBeLessThan(n(first, 'Eloqua_Contacts') / 2);
    expect(n(second, 'Eloqua_EmailSends')).toBeLessThan(n(first, 'Eloqua_EmailSends') / 2);
    expect(describeFailures(verify2)).toBe('');
    expect(sim.exportDefinitions()).toBe(0);
    expect(sim.stats().throttled).toBe(0);
  });

  it('types: epoch strings and Bulk date texts are timestamptz columns', async () => {
    const cat = { name: 'floe', db: join(dir, '.floe', 'catalog.db'), warehouse: join(dir, 'warehouse') };
    expect((await dumpValues(cat, 'eloqua_staging.staging_campaigns')).schema.updated_at).toBe('timestamptz');
    expect((await dumpValues(cat, 'eloqua_staging.staging_contacts')).schema.date_modified).toBe(
      'timestamptz',
    );
  });
});
