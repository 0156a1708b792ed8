/**
 * Acceptance for the Cvent, Medallia and Eloqua L2 tables read by PyIceberg: after a first run of both
 * layers and an incremental one once the simulator's clock moved (so MERGE rewrote files),
 * PyIceberg reads exactly the rows computed from the simulators' ground truth
 * (test/support/platform-l2-expected.ts): `cvent_refined.event_attendance` with its map of status
 * counts and ratios, `cvent_refined.session_attendance` with its check-in times and durations,
 * `medallia_refined.feedback` with its columns named by the field catalogue,
 * `eloqua_refined.email_engagement` with its two-column key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobParams } from '../../src/config/job-params.js';
import { toSnakeCase } from '../../src/config/naming.js';
import { scaffoldProject } from '../../src/connectors/scaffold.js';
import { loadTable, SqlCatalog } from '../../src/iceberg/index.js';
import { toCanonical } from '../../src/iceberg/spec/values.js';
import { runJob } from '../../src/job/run-job.js';
import { startCventSimulator } from '../../src/sim/cvent/index.js';
import { startEloquaSimulator } from '../../src/sim/eloqua/index.js';
import { startMedalliaSimulator } from '../../src/sim/medallia/index.js';
import {
  type CanonicalRow,
  describeFailures,
  INTEROP_TIMEOUT_MS,
  interopAvailable,
  runVerify,
  type VerifyResult,
  writeExpectedJsonl,
} from '../support/interop.js';
import {
  cventTruth,
  eloquaTruth,
  expectedEmailEngagement,
  expectedEventAttendance,
  expectedReadableFeedback,
  expectedSessionAttendance,
  medalliaTruth,
  type Row,
} from '../support/platform-l2-expected.js';

const dirs: string[] = [];
const results: Record<string, { result: VerifyResult; count: number; table: string }> = {};

interface Expected {
  table: string;
  keys: string[];
  rows: () => Promise<Row[]>;
}

/** Runs both layers twice (the clock moved between) and verifies each table with PyIceberg. */
async function verify(
  platform: string,
  sim: { origin: string; now(): Date; advanceClock(ms: number): void },
  tables: Expected[],
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `floe-l2-${platform}-interop-`));
  dirs.push(dir);
  await scaffoldProject({ dir, platform, baseUrl: sim.origin, force: true });
  const run = () =>
    runJob(parseJobParams(['--project', dir, '--platform', platform, '--process-type', 'both'], {}), {
      logStream: { write: () => true },
      now: () => sim.now(),
    });
  expect((await run()).ok).toBe(true);
  sim.advanceClock(24 * 3600_000);
  expect((await run()).ok).toBe(true);
  for (const { table, keys, rows: expected } of tables) {
    const catalog = new SqlCatalog({
      name: 'floe',
      path: join(dir, '.floe', 'catalog.db'),
      warehouse: join(dir, 'warehouse'),
    });
    const rows: CanonicalRow[] = [];
    try {
      const t = await loadTable(catalog, table);
      // L2's own columns (when and by which run each row was written) come from the table.
      const key = (r: Row) => keys.map((k) => String(r[k])).join('|');
      const own = new Map(
        (await t.scan({ select: [...keys, 'ingest_timestamp', 'ingest_run_id'] }).toRows()).map((r) => [
          key(r),
          { ingest_timestamp: r.ingest_timestamp, ingest_run_id: r.ingest_run_id },
        ]),
      );
      const struct = { type: 'struct' as const, fields: t.schema().fields };
      for (const row of await expected()) {
        expect(own.has(key(row)), `${table}: row ${key(row)} missing`).toBe(true);
        rows.push(toCanonical(struct, { ...row, ...own.get(key(row)) }) as CanonicalRow);
      }
    } finally {
      await catalog.close();
    }
    const file = join(dir, 'expected', `${table}.jsonl`);
    writeExpectedJsonl(file, rows);
    const result = await runVerify({
      catalog: { name: 'floe', db: join(dir, '.floe', 'catalog.db'), warehouse: join(dir, 'warehouse') },
      tables: [
        {
          identifier: table,
          engines: ['pyiceberg'],
          expected_rows: file,
          aggregates: { count: rows.length },
        },
      ],
    });
    results[table] = { result, count: rows.length, table };
  }
}

describe('Cvent, Medallia and Eloqua L2 tables read by PyIceberg', () => {
  beforeAll(async () => {
    interopAvailable();
    const cvent = await startCventSimulator({ seed: 31, events: 40, attendees: 1200, contacts: 300 });
    try {
      await verify('cvent', cvent, [
        {
          table: 'cvent_refined.event_attendance',
          keys: ['event_id'],
          rows: async () => expectedEventAttendance(await cventTruth(cvent)),
        },
        {
          table: 'cvent_refined.session_attendance',
          keys: ['session_id'],
          rows: async () => expectedSessionAttendance(await cventTruth(cvent)),
        },
      ]);
    } finally {
      await cvent.close();
    }
    const medallia = await startMedalliaSimulator({
      seed: 32,
      feedback: 1000,
      extraFields: 1,
      churn: { newPerDayFraction: 0.05 },
    });
    try {
      await verify('medallia', medallia, [
        {
          table: 'medallia_refined.feedback',
          keys: ['feedback_id'],
          rows: async () => expectedReadableFeedback(await medalliaTruth(medallia), toSnakeCase),
        },
      ]);
    } finally {
      await medallia.close();
    }
    const eloqua = await startEloquaSimulator({
      seed: 33,
      contacts: 300,
      campaigns: 15,
      emails: 12,
      emailSends: 1200,
      rateLimit: { requestsPerSecond: 10 },
    });
    try {
      await verify('eloqua', eloqua, [
        {
          table: 'eloqua_refined.email_engagement',
          keys: ['campaign_id', 'email_id'],
          rows: async () => expectedEmailEngagement(await eloquaTruth(eloqua)),
        },
      ]);
    } finally {
      await eloqua.close();
    }
  }, INTEROP_TIMEOUT_MS);

  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it.each([
    'cvent_refined.event_attendance',
    'cvent_refined.session_attendance',
    'medallia_refined.feedback',
    'eloqua_refined.email_engagement',
  ])('%s: PyIceberg reads exactly the expected rows', (table) => {
    const r = results[table]!;
    expect(describeFailures(r.result)).toBe('');
    const t = r.result.tables[r.table];
    expect(t?.pyiceberg?.ok).toBe(true);
    expect(t?.pyiceberg?.rows).toBe(r.count);
    expect(r.count).toBeGreaterThan(0);
  });
});
