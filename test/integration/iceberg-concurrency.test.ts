import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable, loadTable } from '../../src/iceberg/index.js';
import { type TempCatalog, tempCatalog } from '../support/temp-catalog.js';

const run = promisify(execFile);
let tc: TempCatalog;
beforeAll(async () => {
  tc = tempCatalog();
  await tc.catalog.createNamespace(['ns']);
});
afterAll(async () => tc.cleanup());

describe('concurrent writers', () => {
  it('two processes appending to one table at the same time: every append lands', async () => {
    await createTable(tc.catalog, 'ns.race', {
      schema: [
        { name: 'id', type: 'long' },
        { name: 'name', type: 'string' },
      ],
    });
    const worker = new URL('../support/append-worker.ts', import.meta.url).pathname;
    const n = 15;
    const results = await Promise.all(
      [0, 1000].map((start) =>
        run(
          process.execPath,
          ['--import', 'tsx', worker, tc.dbPath, tc.warehouse, 'ns.race', String(start), String(n)],
          { timeout: 180_000 },
        ),
      ),
    );
    const retries = results.reduce((a, r) => a + (JSON.parse(r.stdout) as { retries: number }).retries, 0);
    const t = await loadTable(tc.catalog, 'ns.race');
    const ids = (await t.scan().toRows()).map((r) => Number(r.id)).sort((a, b) => a - b);
    const expected = [
      ...Array.from({ length: n }, (_, i) => i),
      ...Array.from({ length: n }, (_, i) => 1000 + i),
    ];
    expect(ids).toEqual(expected);
    expect(t.snapshots().length).toBe(2 * n);
    expect(t.currentSnapshot()!.summary['total-records']).toBe(String(2 * n));
    // Not asserted (timing-dependent), printed so a reader can see the race happened.
    console.log(`concurrent appends: ${2 * n} commits, ${retries} conflict retries`);
  });
});
