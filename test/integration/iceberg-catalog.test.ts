import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFloeError } from '../../src/errors.js';
import { createTable, loadTable } from '../../src/iceberg/index.js';
import { type TempCatalog, tempCatalog } from '../support/temp-catalog.js';

let tc: TempCatalog;
beforeAll(() => {
  tc = tempCatalog();
});
afterAll(async () => tc.cleanup());

describe('SQL catalog', () => {
  it('namespaces: create, list (nested), properties, drop only when empty', async () => {
    const c = tc.catalog;
    await c.createNamespace(['a'], { owner: 'data-eng' });
    await c.createNamespace(['a', 'b']);
    await c.createNamespace(['z']);
    expect((await c.listNamespaces()).map((n) => n.join('.'))).toEqual(['a', 'z']);
    expect((await c.listNamespaces(['a'])).map((n) => n.join('.'))).toEqual(['a.b']);
    expect(await c.namespaceProperties(['a'])).toEqual({ owner: 'data-eng' });
    await c.updateNamespaceProperties(['a'], { tier: 'gold' }, ['owner']);
    expect(await c.namespaceProperties(['a'])).toEqual({ tier: 'gold' });
    await expect(c.createNamespace(['z'])).rejects.toThrow(/already exists/);
    await createTable(c, 'z.t', { schema: [{ name: 'id', type: 'long' }] });
    await expect(c.dropNamespace(['z'])).rejects.toThrow(/not empty/);
  });

  it('tables: list, rename keeps data, drop removes from the catalog', async () => {
    const c = tc.catalog;
    const t = await createTable(c, 'a.orig', { schema: [{ name: 'id', type: 'long' }] });
    await t.append([{ id: 1 }, { id: 2 }]);
    await expect(createTable(c, 'a.orig', { schema: [{ name: 'id', type: 'long' }] })).rejects.toThrow(
      /already exists/,
    );
    await c.renameTable({ namespace: ['a'], name: 'orig' }, { namespace: ['a', 'b'], name: 'moved' });
    expect((await c.listTables(['a'])).map((x) => x.name)).toEqual([]);
    expect((await c.listTables(['a', 'b'])).map((x) => x.name)).toEqual(['moved']);
    const moved = await loadTable(c, 'a.b.moved');
    expect((await moved.scan().toRows()).length).toBe(2);
    await c.dropTable({ namespace: ['a', 'b'], name: 'moved' });
    try {
      await loadTable(c, 'a.b.moved');
      expect.fail('should throw');
    } catch (e) {
      expect(isFloeError(e, 'not-found')).toBe(true);
    }
  });

  it('a stale commit is rejected by compare-and-swap, then rebased by the writer', async () => {
    const c = tc.catalog;
    await createTable(c, 'a.cas', { schema: [{ name: 'id', type: 'long' }] });
    const w1 = await loadTable(c, 'a.cas');
    const w2 = await loadTable(c, 'a.cas');
    await w1.append([{ id: 1 }]);
    // w2 still holds the old metadata: its append conflicts once, re-reads and lands on top.
    const r = await w2.append([{ id: 2 }]);
    expect(r.attempts).toBe(2);
    const final = await loadTable(c, 'a.cas');
    expect((await final.scan().toRows()).map((x) => Number(x.id)).sort()).toEqual([1, 2]);
    expect(final.snapshots().length).toBe(2);
  });
});

describe('namespace names are literal', () => {
  it('`_` and `%` in a namespace are not wildcards', async () => {
    const own = tempCatalog();
    try {
      await own.catalog.createNamespace(['wrikeXstaging', 'sub']);
      expect(await own.catalog.namespaceExists(['wrikeXstaging'])).toBe(true);
      expect(await own.catalog.namespaceExists(['wrike_staging'])).toBe(false);
      expect(await own.catalog.namespaceExists(['wrike%'])).toBe(false);
    } finally {
      await own.cleanup();
    }
  });
});
