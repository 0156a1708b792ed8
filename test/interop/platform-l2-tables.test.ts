/**
 * Acceptance for the Cvent, Medallia and Eloqua L2 tables read by PyIceberg: after a first run of both
 * layers and an incremental one once the simulator's clock moved (so MERGE rewrote files),
 * PyIceberg reads exactly the rows computed from the simulators' ground truth
 * (test/support/platform-l2-expected.ts): `cvent_refined.event_attendance` with its map of status
 * counts and ratios, `medallia_refined.feedback` with its columns named by the field catalogue,
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
  medalliaTruth,
  type Row,
} from '../support/platform-l2-expected.js';

const dirs: string[] = [];
const results: Record<string, { result: VerifyResult; count: number; table: string }> = {};

/** Runs both layers twice (the clock moved between) and verifies `table` with PyIceberg. */
async function verify(
  platform: string,
  sim: { origin: string; now(): Date; advanceClock(ms: number): void },
  table: string,
  keys: string[],
  expected: () => Promise<Row[]>,
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
  results[platform] = { result, count: rows.length, table };
}

describe('Cvent, Medallia and Eloqua L2 tables read by PyIceberg', () => {
  beforeAll(async () => {
    interopAvailable();
    const cvent = await startCventSimulator({ seed: 31, events: 40, attendees: 1200, contacts: 300 });
    try {
      await verify('cvent', cvent, 'cvent_refined.event_attendance', ['event_id'], async () =>
        expectedEventAttendance(await cventTruth(cvent)),
      );
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
      await verify('medallia', medallia, 'medallia_refined.feedback', ['feedback_id'], async () =>
        expectedReadableFeedback(await medalliaTruth(medallia), toSnakeCase),
      );
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
      await verify(
        'eloqua',
        eloqua,
        'eloqua_refined.email_engagement',
        ['campaign_id', 'email_id'],
        async () => expectedEmailEngagement(await eloquaTruth(eloqua)),
      );
    } finally {
      await eloqua.close();
    }
  }, INTEROP_TIMEOUT_MS);

  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it.each(['cvent', 'medallia', 'eloqua'])('%s: PyIceberg reads exactly the expected rows', (platform) => {
    const r = results[platform]!;
    expect(describeFailures(r.result)).toBe('');
    const t = r.result.tables[r.table];
    expect(t?.pyiceberg?.ok).toBe(true);
    expect(t?.pyiceberg?.rows).toBe(r.count);
    expect(r.count).toBeGreaterThan(0);
  });
});
