/**
 * Four processes × 25 MERGEs with overlapping keys on one table, and a fifth compacting it in a
 * loop meanwhile. Every MERGE either commits (after re-planning as often as it must) or reports a
 * conflict; the final table must equal replaying the committed MERGEs serially in the order of
 * the table's history, and every MERGE that said it committed must be in that history once.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable } from '../../src/iceberg/index.js';
import { mergeOp } from '../support/merge-worker.js';
import { type TempCatalog, tempCatalog } from '../support/temp-catalog.js';

const run = promisify(execFile);
let tc: TempCatalog;
beforeAll(async () => {
  tc = tempCatalog();
  await tc.catalog.createNamespace(['ns']);
});
afterAll(async () => tc.cleanup());

describe('concurrent MERGEs and compaction', () => {
  it('4 × 25 overlapping MERGEs with a compaction alongside equal their serial replay', async () => {
    const t = await createTable(tc.catalog, 'ns.merges', {
      schema: [
        { name: 'id', type: 'long' },
        { name: 'v', type: 'string' },
        { name: 'n', type: 'int' },
      ],
    });
    await t.append(Array.from({ length: 60 }, (_, i) => ({ id: BigInt(i), v: 'seed', n: -1 })));
    const worker = new URL('../support/merge-worker.ts', import.meta.url).pathname;
    const stop = join(tc.warehouse, 'stop-compaction');
    const child = (args: string[]) =>
      run(process.execPath, ['--import', 'tsx', worker, tc.dbPath, tc.warehouse, 'ns.merges', ...args], {
        timeout: 600_000,
      });
    const compactor = child(['compact', stop]);
    const workers = await Promise.all([0, 1, 2, 3].map((w) => child([String(w), '25'])));
    writeFileSync(stop, '');
    const compaction = JSON.parse((await compactor).stdout) as { compactions: number; failed: string[] };
    const results = workers.map(
      (r) =>
        JSON.parse(r.stdout) as { ok: string[]; failed: { op: string; error: string }[]; replans: number },
    );
    const committed = results.flatMap((r) => r.ok);
    const failed = results.flatMap((r) => r.failed);
    expect(committed.length + failed.length).toBe(100);
    // A reported conflict is a clear error, never a silent loss.
    for (const f of failed) expect(f.error).toMatch(/planned again|concurrent|conflict|another writer/);

    // Replay the history: each MERGE snapshot names its op; compactions change no row.
    await t.refresh();
    const history = t
      .history()
      .map((s) => s.summary['test.op'])
      .filter((x): x is string => !!x);
    expect([...history].sort()).toEqual([...committed].sort());
    const model = new Map<number, { v: string; n: number }>();
    for (let i = 0; i < 60; i++) model.set(i, { v: 'seed', n: -1 });
    for (const op of history) {
      const [, w, m] = /^w(\d+)-m(\d+)$/.exec(op)!;
      for (const r of mergeOp(Number(w), Number(m))) model.set(Number(r.id), { v: r.v, n: r.n });
    }
    const rows = (await t.scan().toRows())
      .map((r) => ({ id: Number(r.id), v: String(r.v), n: Number(r.n) }))
      .sort((a, b) => a.id - b.id);
    expect(rows).toEqual([...model.entries()].map(([id, x]) => ({ id, ...x })));
    const replans = results.reduce((a, r) => a + r.replans, 0);
    // Timing-dependent, so printed rather than asserted: the race did happen.
    console.log(
      `concurrent merges: ${committed.length} committed, ${failed.length} conflicts reported, ${replans} re-plans; ${compaction.compactions} compactions (${compaction.failed.length} gave way)`,
    );
  }, 900_000);
});
