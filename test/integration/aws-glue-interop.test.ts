/**
 * PyIceberg's GlueCatalog, pointed at the same moto endpoints, as an independent reader and
 * writer: it loads every table floe wrote to Glue + S3 and reads the same rows; floe reads a table
 * PyIceberg created in Glue; and a user migrating the seed's Spark-written tables (camelCase
 * columns) sets `columnNaming: source` and floe appends to such a table without rewriting it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTable } from '../../src/iceberg/index.js';
import { startWrikeSimulator, type WrikeSimulator } from '../../src/sim/wrike/index.js';
import { putItem } from '../support/aws-moto.js';
import { type AwsWorld, awsWorld } from '../support/aws-world.js';
import { REPO_ROOT } from '../support/interop.js';

let sim: WrikeSimulator;
let world: AwsWorld;

function pyiceberg<T>(job: Record<string, unknown>): T {
  const python = process.env.FLOE_PYTHON ?? join(REPO_ROOT, '.cache', 'venv', 'bin', 'python');
  const r = spawnSync(
    python,
    [
      join(REPO_ROOT, 'test', 'support', 'aws_pyiceberg.py'),
      JSON.stringify({ endpoint: world.endpoint, ...job }),
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, ...world.env },
      timeout: 120_000,
    },
  );
  if (r.status !== 0) throw new Error(`PyIceberg failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

type Read = Record<string, { rows: number; ids: string[]; columns: string[]; files: string[] }>;

beforeAll(async () => {
  sim = await startWrikeSimulator({ tasks: 300, rateLimit: false, seed: 5 });
  world = await awsWorld(sim);
  await putItem(
    world.configTable,
    world.item(sim, {
      configId: 'Wrike_Tasks',
      object: 'tasks',
      path: '/tasks',
      table: 'staging_tasks',
      writeMode: 'MERGE',
      loadType: 'INCREMENTAL',
      paginated: true,
      incremental: true,
    }),
  );
});
afterAll(async () => {
  await sim?.close();
});

describe('PyIceberg GlueCatalog and floe on one Glue Data Catalog (moto)', () => {
  it('PyIceberg loads every table floe wrote and reads the same rows', async () => {
    const out = await world.run(['--JOB_RUN_ID', 'jr_interop']);
    expect(out.ok).toBe(true);
    const names = out.results.map((r) => r.table!);
    const read = pyiceberg<Read>({ op: 'read', tables: names });
    for (const name of names) {
      const floeRows = await (await loadTable(world.catalog(), name)).scan().toRows();
      expect(read[name]!.rows).toBe(floeRows.length);
      expect(read[name]!.ids).toEqual(floeRows.map((r) => String(r.id)).sort());
    }
    expect(read[`${world.database}.staging_tasks`]!.rows).toBe(300);
  });

  it('floe reads a table PyIceberg created in Glue, and appends to it keeping its camelCase columns (columnNaming: source)', async () => {
    const table = `${world.database}.legacy_tasks`;
    const created = pyiceberg<{ metadata_location: string; files: string[] }>({
      op: 'create',
      table,
      location: `${world.warehouse}legacy/tasks`,
      columns: { id: 'string', title: 'string', updatedDate: 'string', status: 'string' },
      rows: [
        { id: 'LEGACY1', title: 'written by Spark', updatedDate: '2023-01-01T00:00:00Z', status: 'Active' },
        { id: 'LEGACY2', title: 'also by Spark', updatedDate: '2023-01-02T00:00:00Z', status: 'Completed' },
      ],
    });
    const before = await (await loadTable(world.catalog(), table)).scan().toRows();
    expect(before.map((r) => r.id).sort()).toEqual(['LEGACY1', 'LEGACY2']);
    expect(Object.keys(before[0]!)).toEqual(['id', 'title', 'updatedDate', 'status']);

    const item = world.item(sim, {
      configId: 'Wrike_Legacy_Tasks',
      object: 'tasks',
      path: '/tasks',
      table: 'legacy_tasks',
      writeMode: 'APPEND',
      paginated: true,
    });
    (item.destination as Record<string, unknown>).columnNaming = 'source';
    (item.destination as Record<string, unknown>).s3Location = `${world.warehouse}legacy/tasks`;
    await putItem(world.configTable, item);
    const out = await world.run(['--CONFIG_ID', 'Wrike_Legacy_Tasks']);
    expect(out.results[0]).toMatchObject({ status: 'SUCCESS', records: 300 });

    const read = pyiceberg<Read>({ op: 'read', tables: [table] })[table]!;
    expect(read.rows).toBe(302);
    // The existing columns keep their names; new fields arrive as the API names them.
    expect(read.columns.slice(0, 4)).toEqual(['id', 'title', 'updatedDate', 'status']);
    expect(read.columns).toContain('createdDate');
    expect(read.columns).not.toContain('updated_date');
    // Spark's files are still the table's: appended to, not rewritten.
    for (const f of created.files) expect(read.files).toContain(f);
    expect(read.ids).toContain('LEGACY1');
  });
});
