/**
 * Child process for the concurrent-MERGE test: `count` merges into one table, each upserting ten
 * keys of a window that overlaps the other workers' (see mergeOp), committed with the op's name
 * in the snapshot summary (`test.op`) so the test can replay the committed history in order.
 * With `compact` instead of a worker number, compacts the table in a loop until `stopFile` exists.
 * Prints one JSON object: {ok: [op…], failed: [{op, error}…], replans} or {compactions, failed}.
 * argv: dbPath warehouse table worker|compact count|stopFile
 */
import { existsSync } from 'node:fs';
import { isFloeError } from '../../src/errors.js';
import { loadTable, SqlCatalog } from '../../src/iceberg/index.js';
import { compactTable } from '../../src/iceberg/maintenance/compact.js';

/** The rows of op `m` of worker `w`: keys w*5+m*3 … +9 (mod 60), each valued by the op. */
export function mergeOp(w: number, m: number): { id: bigint; v: string; n: number }[] {
  const start = (w * 5 + m * 3) % 60;
  return Array.from({ length: 10 }, (_, k) => ({ id: BigInt((start + k) % 60), v: `w${w}-m${m}`, n: m }));
}

const [dbPath, warehouse, table, who, arg] = process.argv.slice(2);
if (import.meta.url === `file://${process.argv[1]}`) {
  const catalog = new SqlCatalog({ name: 'floe', path: dbPath!, warehouse: warehouse! });
  const t = await loadTable(catalog, table!);
  if (who === 'compact') {
    let compactions = 0;
    const failed: string[] = [];
    while (!existsSync(arg!)) {
      try {
        await t.refresh();
        const r = await compactTable(t, { minInputFiles: 2 });
        if (r.snapshotId !== undefined) compactions++;
      } catch (e) {
        if (!isFloeError(e, 'commit-conflict')) throw e;
        failed.push((e as Error).message);
      }
    }
    process.stdout.write(JSON.stringify({ compactions, failed }));
  } else {
    const ok: string[] = [];
    const failed: { op: string; error: string }[] = [];
    let replans = 0;
    for (let m = 0; m < Number(arg); m++) {
      const op = `w${who}-m${m}`;
      try {
        await t.refresh();
        const r = await t.merge(mergeOp(Number(who), m), { keys: ['id'], summary: { 'test.op': op } });
        replans += r.replans;
        ok.push(op);
      } catch (e) {
        if (!isFloeError(e, 'commit-conflict')) throw e;
        failed.push({ op, error: (e as Error).message });
      }
    }
    process.stdout.write(JSON.stringify({ ok, failed, replans }));
  }
  await catalog.close();
}
