/**
 * Rolled, sorted files as an independent reader sees them: PyIceberg reads the table's default
 * sort order as floe declared it, every data file with its record count, sort_order_id and key
 * bounds (disjoint: the write ran range by range, sorted-write.ts), and exactly the rows floe
 * wrote — after a write larger than the target size and after a MERGE into it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable } from '../../src/iceberg/index.js';
import { interopAvailable, pyicebergLayout } from '../support/interop.js';
import { type TempCatalog, tempCatalog } from '../support/temp-catalog.js';

const TARGET = 256 * 1024;
let tc: TempCatalog;

beforeAll(async () => {
  interopAvailable(); // throws with provisioning instructions: never a silent skip
  tc = tempCatalog();
  await tc.catalog.createNamespace(['lay']);
});
afterAll(async () => tc?.cleanup());

function rows(ids: readonly number[], tag: string) {
  return ids.map((i) => ({
    id: BigInt(i),
    updated: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
    payload:
      `${tag}-${(Math.imul(i, 2654435761) >>> 0).toString(16)}${(Math.imul(i + 3, 40503) >>> 0).toString(16)}`.repeat(
        3,
      ),
  }));
}

describe('floe file layout → PyIceberg', () => {
  it('reads the sort order, the rolled files with their sort_order_id, and the rows, before and after a MERGE', async () => {
    const t = await createTable(tc.catalog, 'lay.rolled', {
      schema: [
        { name: 'id', type: 'long', required: true },
        { name: 'updated', type: 'timestamptz' },
        { name: 'payload', type: 'string' },
      ],
      properties: { 'write.target-file-size-bytes': String(TARGET) },
      sortBy: [{ source: 'id', direction: 'desc', nullOrder: 'nulls-last' }],
    });
    const n = 60_000;
    const ids = Array.from({ length: n }, (_, i) => (i * 7919) % n);
    await t.append(rows(ids, 'a'));
    const spec = { name: 'floe', db: tc.dbPath, warehouse: tc.warehouse };
    const before = await pyicebergLayout(spec, 'lay.rolled', 'id');
    expect(before.sort_order).toEqual({
      order_id: 1,
      fields: [{ source_id: 1, transform: 'identity', direction: 'desc', null_order: 'nulls-last' }],
    });
    const floeFiles = (await t.scan().plan()).tasks.map((x) => x.file);
    expect(before.files.length).toBe(floeFiles.length);
    expect(before.files.length).toBeGreaterThanOrEqual(3);
    for (const f of before.files) {
      expect(f.sort_order_id).toBe(1);
      expect(f.size).toBeLessThanOrEqual(TARGET * 1.1);
      const mine = floeFiles.find((x) => x.file_path === f.path)!;
      expect(BigInt(f.records)).toBe(mine.record_count);
    }
    // The files' id ranges as PyIceberg reads them from the manifests: no id in two files.
    const spans = before.files
      .map((f) => ({ lo: Number(f.key_lower), hi: Number(f.key_upper), records: f.records }))
      .sort((a, b) => a.lo - b.lo);
    for (const s of spans) expect(s.hi).toBeGreaterThanOrEqual(s.lo);
    for (let i = 1; i < spans.length; i++) expect(spans[i - 1]!.hi).toBeLessThan(spans[i]!.lo);
    expect(spans[0]!.lo).toBe(0);
    expect(spans[spans.length - 1]!.hi).toBe(n - 1);
    expect(before.keys.map(Number).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));

    const changed = [5, 6, 7, n + 1];
    await t.merge(rows(changed, 'b'), { keys: ['id'] });
    const after = await pyicebergLayout(spec, 'lay.rolled', 'id');
    const keys = after.keys.map(Number).sort((a, b) => a - b);
    expect(keys).toEqual([...ids, n + 1].sort((a, b) => a - b));
    expect(new Set(keys).size).toBe(keys.length);
    expect(after.files.length).toBe(before.files.length + 1);
  });
});
